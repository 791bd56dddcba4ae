using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using NanoBanana.Limits;

namespace NanoBanana.Text;

/// <summary>
/// Structured prompts: XML with one element per part, whose attributes describe that part only, e.g.
/// <c>&lt;product name="drone"&gt;&lt;part name="propeller" material="carbon fibre" count="4"/&gt;&lt;part name="battery" colour="grey"/&gt;&lt;/product&gt;</c>
/// → <c>drone, 4 carbon fibre propeller, grey battery</c>.
/// </summary>
/// <remarks>
/// Mapping, per element in document order (depth first), one phrase each:
/// <list type="bullet">
/// <item><c>count</c> first, then every other attribute's value in document order (the attribute names are
/// only labels: <c>material="carbon fibre"</c> reads "carbon fibre"), then the noun — the <c>name</c>
/// attribute, or the element's own name when it has none (<c>&lt;battery colour="grey"/&gt;</c> → "grey battery").</item>
/// <item>Text directly inside an element follows its noun ("propeller with folded blades").</item>
/// </list>
/// Layout hints (<c>order</c>, <c>scale</c>) steer the part layout (see NanoBanana.Layout) and are left out of the text.
/// Phrases are joined with ", ". Attributes therefore sit directly before the word they describe — CLIP binds
/// modifiers to the nearest noun far better than to a noun listed elsewhere. When a tokenizer is given and the
/// phrases would not fit one 75-token window, the separator at each window boundary becomes BREAK
/// (see <see cref="PromptChunker"/>), so no part's phrase is split between two windows.
/// Plain text — anything not starting with an XML element (an A1111 <c>&lt;lora:name:1&gt;</c> tag does not
/// count) — is returned unchanged.
/// </remarks>
public static partial class StructuredPrompt
{
    [GeneratedRegex(@"^\s*<[A-Za-z_][\w.\-]*[\s/>]")]
    private static partial Regex StartsWithElement();

    /// <summary>True when <paramref name="prompt"/> is meant as a structured (XML) prompt.</summary>
    public static bool IsStructured(string prompt) => StartsWithElement().IsMatch(prompt ?? "");

    /// <summary>Flattens a structured prompt (plain text passes through unchanged).</summary>
    /// <param name="tokenizer">When given, phrases are packed into 75-token windows separated by BREAK.</param>
    /// <exception cref="StructuredPromptException">The prompt starts like XML but is not well-formed.</exception>
    public static string Flatten(string prompt, ClipTokenizer? tokenizer = null)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (!IsStructured(prompt)) return prompt;
        var phrases = Elements(prompt).Select(e => e.Phrase).Where(p => p.Length > 0).ToList();
        return tokenizer is null ? string.Join(", ", phrases) : Pack(phrases, tokenizer);
    }

    /// <summary>
    /// The elements of a structured prompt in document order (depth first), the root first; empty for plain text.
    /// The one parser behind <see cref="Flatten"/> and the part layout.
    /// </summary>
    /// <exception cref="StructuredPromptException">The prompt starts like XML but is not well-formed.</exception>
    public static IReadOnlyList<PromptElement> Elements(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (!IsStructured(prompt)) return [];
        XElement root;
        try
        {
            // No DTD (so no entity can expand or read a file), and a document no longer than a Parts cell may be.
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = InputLimits.MaxPartsCharacters };
            using var reader = XmlReader.Create(new StringReader(prompt), settings);
            root = XElement.Load(reader, LoadOptions.SetLineInfo);
        }
        catch (XmlException e)
        {
            throw new StructuredPromptException(e.LineNumber, e.LinePosition, e.Message, e);
        }
        var elements = root.DescendantsAndSelf().Take(InputLimits.MaxPartsElements + 1).ToList();
        if (elements.Count > InputLimits.MaxPartsElements)
            throw new StructuredPromptException($"The structured prompt has more than {InputLimits.MaxPartsElements} elements, the limit; a parts list needs one element per part, so describe fewer parts.");
        return elements.Select(element => new PromptElement(
            element.Name.LocalName,
            element.Ancestors().Count(),
            element.Attributes().Where(a => !a.IsNamespaceDeclaration).Select(a => new KeyValuePair<string, string>(a.Name.LocalName, a.Value.Trim())).ToList(),
            string.Concat(element.Nodes().OfType<XText>().Select(t => t.Value)).Trim(),
            ((IXmlLineInfo)element).LineNumber)).ToList();
    }

    // Greedy packing: a phrase that would overflow the current window starts the next one after BREAK.
    static string Pack(List<string> phrases, ClipTokenizer tokenizer)
    {
        var result = new System.Text.StringBuilder();
        int used = 0;
        foreach (string phrase in phrases)
        {
            int length = tokenizer.Encode(phrase).Length;
            if (result.Length == 0) { result.Append(phrase); used = length; continue; }
            if (used + 1 + length <= PromptChunker.ChunkLength)
            {
                result.Append(", ").Append(phrase);
                used += 1 + length;
            }
            else
            {
                result.Append(" BREAK ").Append(phrase);
                used = length;
            }
        }
        return result.ToString();
    }
}

/// <summary>One element of a structured prompt: its tag, depth (0 = root), attributes in document order
/// (values trimmed), its own text and its line in the prompt.</summary>
public sealed record PromptElement(string Tag, int Depth, IReadOnlyList<KeyValuePair<string, string>> Attributes, string Text, int Line)
{
    /// <summary>Attributes that steer the layout only (<c>size</c> is also a word a picture can show, so it stays in the phrase).</summary>
    public static readonly IReadOnlySet<string> LayoutHints = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "order", "scale" };

    public string? Attribute(string name) =>
        Attributes.Where(a => string.Equals(a.Key, name, StringComparison.OrdinalIgnoreCase)).Select(a => a.Value).FirstOrDefault();

    /// <summary>The noun: the <c>name</c> attribute, or the tag when it has none (or a blank one).</summary>
    public string Noun => Attribute("name") is { Length: > 0 } noun ? noun : Tag;

    /// <summary>Descriptive attributes: all but name, count and the layout hints, blank values left out.</summary>
    public IEnumerable<KeyValuePair<string, string>> Descriptive =>
        Attributes.Where(a => a.Key is not ("name" or "count") && !LayoutHints.Contains(a.Key) && a.Value.Length > 0);

    /// <summary>count first, then every descriptive value, the noun, then the element's own text.</summary>
    public string Phrase
    {
        get
        {
            var words = new List<string>();
            if (Attribute("count") is { Length: > 0 } count) words.Add(count);
            words.AddRange(Descriptive.Select(a => a.Value));
            words.Add(Noun);
            if (Text.Length > 0) words.Add(Text);
            return string.Join(" ", words);
        }
    }
}

/// <summary>A structured prompt that is not well-formed XML; carries where and how to fix it.</summary>
public sealed class StructuredPromptException : FormatException
{
    public int Line { get; }
    public int Position { get; }

    /// <summary>A well-formed prompt over a limit.</summary>
    public StructuredPromptException(string message) : base(message) { }

    public StructuredPromptException(int line, int position, string detail, Exception inner)
        : base($"The structured prompt is not well-formed XML at line {line}, position {position}: {detail} " +
               "Fix: close every element (<part name=\"…\"/> or <part>…</part>), quote every attribute value, " +
               "write & as &amp; and < as &lt; inside values — or, for a plain-text prompt, do not start it with '<'.", inner)
    {
        Line = line;
        Position = position;
    }
}
