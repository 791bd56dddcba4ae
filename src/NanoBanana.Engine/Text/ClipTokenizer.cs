using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace NanoBanana.Text;

/// <summary>
/// CLIP's byte-level BPE tokenizer (OpenAI <c>simple_tokenizer.py</c> / Hugging Face <c>CLIPTokenizer</c>),
/// read from a diffusers <c>tokenizer/</c> folder: <c>vocab.json</c>, <c>merges.txt</c> and, when present,
/// <c>special_tokens_map.json</c> / <c>tokenizer_config.json</c> for the pad token.
/// </summary>
/// <remarks>
/// Implemented directly rather than with Microsoft.ML.Tokenizers' BPE model: CLIP needs its own text
/// cleaning and pre-tokenisation regex, GPT-2's byte→unicode alphabet, and "&lt;/w&gt;" glued to the
/// last symbol of every word <em>before</em> merging; reproducing that through a general BPE's options
/// could not be checked against the real vocabulary here, while the algorithm itself is a few dozen
/// lines. Text cleaning is CLIP's without ftfy: HTML-unescape (twice, as CLIP does), collapse
/// whitespace, lower-case.
/// </remarks>
public sealed partial class ClipTokenizer
{
    /// <summary>CLIP's context: BOS + 75 tokens + EOS.</summary>
    public const int ContextLength = 77;

    public const string EndOfWord = "</w>";
    public const string StartOfText = "<|startoftext|>";
    public const string EndOfText = "<|endoftext|>";

    readonly Dictionary<string, int> _vocab;
    readonly Dictionary<(string, string), int> _mergeRanks = new();
    readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    static readonly string[] ByteToUnicode = BuildByteToUnicode();

    public int BosId { get; }
    public int EosId { get; }
    public int PadId { get; }
    /// <summary>Id for words absent from the vocabulary (CLIP uses &lt;|endoftext|&gt;).</summary>
    public int UnknownId { get; }

    /// <summary>The id of ",&lt;/w&gt;", used by A1111's comma back-tracking, or null if the vocabulary lacks it.</summary>
    public int? CommaId => _vocab.TryGetValue("," + EndOfWord, out int id) ? id : null;

    /// <param name="vocab">token → id, as in <c>vocab.json</c>.</param>
    /// <param name="merges">The lines of <c>merges.txt</c> in rank order (a leading "#version" line is skipped).</param>
    /// <param name="padToken">The padding token; defaults to &lt;|endoftext|&gt; (SDXL's second tokenizer uses "!").</param>
    public ClipTokenizer(IReadOnlyDictionary<string, int> vocab, IEnumerable<string> merges, string? padToken = null)
    {
        ArgumentNullException.ThrowIfNull(vocab);
        ArgumentNullException.ThrowIfNull(merges);
        _vocab = new Dictionary<string, int>(vocab, StringComparer.Ordinal);
        int rank = 0;
        foreach (string raw in merges)
        {
            string line = raw.Trim();
            if (line.Length == 0 || (rank == 0 && line.StartsWith("#version", StringComparison.Ordinal))) continue;
            string[] pair = line.Split(' ');
            if (pair.Length != 2) throw new InvalidDataException($"merges.txt: line '{Limits.Excerpt.Of(raw)}' is not a pair of symbols.");
            _mergeRanks.TryAdd((pair[0], pair[1]), rank++);
        }
        BosId = Id(StartOfText, "BOS");
        EosId = Id(EndOfText, "EOS");
        UnknownId = EosId;
        PadId = padToken is null ? EosId : Id(padToken, "pad");
    }

    int Id(string token, string role) =>
        _vocab.TryGetValue(token, out int id) ? id
        : throw new InvalidDataException($"vocab.json has no {role} token '{token}'.");

    /// <summary>Loads a tokenizer folder (<c>vocab.json</c>, <c>merges.txt</c>, optional <c>special_tokens_map.json</c>
    /// and <c>tokenizer_config.json</c>, whose <c>pad_token</c> is honoured).</summary>
    public static ClipTokenizer Load(string folder)
    {
        string vocabPath = Path.Combine(folder, "vocab.json"), mergesPath = Path.Combine(folder, "merges.txt");
        if (!File.Exists(vocabPath) || !File.Exists(mergesPath))
            throw new FileNotFoundException($"'{folder}' is not a CLIP tokenizer folder: it needs vocab.json and merges.txt.");
        var vocab = VocabularyFile.ReadVocabulary(vocabPath);
        string? pad = VocabularyFile.ReadPadToken(Path.Combine(folder, "special_tokens_map.json")) ?? VocabularyFile.ReadPadToken(Path.Combine(folder, "tokenizer_config.json"));
        return new ClipTokenizer(vocab, VocabularyFile.ReadMerges(mergesPath), pad);
    }

    [GeneratedRegex(@"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+", RegexOptions.IgnoreCase)]
    private static partial Regex PreTokenizer();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    /// <summary>CLIP's cleaning without ftfy: HTML-unescape twice, trim, collapse whitespace, lower-case.</summary>
    public static string Clean(string text) =>
        Whitespace().Replace(WebUtility.HtmlDecode(WebUtility.HtmlDecode(text)).Trim(), " ").ToLowerInvariant();

    /// <summary>The token ids of <paramref name="text"/>, without BOS/EOS, untruncated.</summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        foreach (Match word in PreTokenizer().Matches(Clean(text)))
        {
            if (word.Value is StartOfText or EndOfText)
            {
                ids.Add(word.Value == StartOfText ? BosId : EosId);
                continue;
            }
            ids.AddRange(EncodeWord(word.Value));
        }
        return ids.ToArray();
    }

    /// <summary>One <see cref="ContextLength"/>-token window as HF's <c>padding="max_length", truncation=True</c>:
    /// BOS, the first 75 tokens, EOS, then pad.</summary>
    public int[] EncodeWindow(string text) => Window(Encode(text));

    /// <summary>BOS + up to 75 <paramref name="tokens"/> + EOS, padded with <see cref="PadId"/> to 77.</summary>
    public int[] Window(ReadOnlySpan<int> tokens)
    {
        var window = new int[ContextLength];
        int count = Math.Min(tokens.Length, ContextLength - 2);
        window[0] = BosId;
        tokens[..count].CopyTo(window.AsSpan(1));
        window[count + 1] = EosId;
        window.AsSpan(count + 2).Fill(PadId);
        return window;
    }

    /// <summary>The text of <paramref name="ids"/> as Hugging Face's CLIPTokenizer decodes it: token strings joined,
    /// byte symbols back to UTF-8, "&lt;/w&gt;" as a space, trimmed, and its <c>clean_up_tokenization</c> (no space
    /// before . ? ! , and English contractions).</summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        _tokens ??= _vocab.GroupBy(p => p.Value).ToDictionary(g => g.Key, g => g.First().Key);
        _unicodeToByte ??= Enumerable.Range(0, 256).ToDictionary(b => ByteToUnicode[b][0], b => (byte)b);
        var bytes = new List<byte>();
        foreach (int id in ids)
        {
            if (!_tokens.TryGetValue(id, out string? token)) continue;
            foreach (char c in token.Replace(EndOfWord, " ", StringComparison.Ordinal))
                if (c == ' ') bytes.Add((byte)' ');
                else if (_unicodeToByte.TryGetValue(c, out byte b)) bytes.Add(b);
        }
        string text = Encoding.UTF8.GetString(bytes.ToArray()).Trim();
        foreach (var (spaced, joined) in CleanUps) text = text.Replace(spaced, joined, StringComparison.Ordinal);
        return text;
    }

    static readonly (string, string)[] CleanUps =
        [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")];

    Dictionary<int, string>? _tokens;
    Dictionary<char, byte>? _unicodeToByte;

    int[] EncodeWord(string word)
    {
        // Byte-level alphabet: every UTF-8 byte maps to one printable character, so nothing is unknown at this level.
        var mapped = new StringBuilder();
        foreach (byte b in Encoding.UTF8.GetBytes(word)) mapped.Append(ByteToUnicode[b]);
        string token = mapped.ToString();
        if (_cache.TryGetValue(token, out var cached)) return cached;

        int[] ids = Bpe(token).Select(s => _vocab.TryGetValue(s, out int id) ? id : UnknownId).ToArray();
        _cache[token] = ids;
        return ids;
    }

    // CLIP's bpe(): symbols are the characters with "</w>" glued to the last one; repeatedly merge every
    // occurrence (left to right) of the adjacent pair with the lowest merge rank until none is mergeable.
    List<string> Bpe(string token)
    {
        // The byte alphabet lies in the BMP, so each char is one initial symbol.
        var symbols = new List<string>(token.Length);
        for (int i = 0; i < token.Length; i++) symbols.Add(i == token.Length - 1 ? token[i] + EndOfWord : token[i].ToString());

        while (symbols.Count > 1)
        {
            (string, string)? best = null;
            int bestRank = int.MaxValue;
            for (int i = 0; i < symbols.Count - 1; i++)
                if (_mergeRanks.TryGetValue((symbols[i], symbols[i + 1]), out int rank) && rank < bestRank)
                {
                    bestRank = rank;
                    best = (symbols[i], symbols[i + 1]);
                }
            if (best is not var (first, second)) break;

            var merged = new List<string>(symbols.Count);
            for (int i = 0; i < symbols.Count; i++)
            {
                if (i < symbols.Count - 1 && symbols[i] == first && symbols[i + 1] == second)
                {
                    merged.Add(first + second);
                    i++;
                }
                else merged.Add(symbols[i]);
            }
            symbols = merged;
        }
        return symbols;
    }

    /// <summary>The 256 byte symbols in the order CLIP's vocabulary lists them: printable bytes first, then the rest.</summary>
    public static IEnumerable<string> ByteSymbolsInVocabularyOrder() =>
        Enumerable.Range(0, 256).OrderBy(b => IsPrintable(b) ? 0 : 1).ThenBy(b => b).Select(b => ByteToUnicode[b]);

    static bool IsPrintable(int b) => (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);

    // GPT-2's bytes_to_unicode: printable Latin-1 bytes map to themselves, the rest to U+0100 onwards.
    static string[] BuildByteToUnicode()
    {
        var map = new string[256];
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            map[b] = ((char)(IsPrintable(b) ? b : 256 + next++)).ToString();
        }
        return map;
    }
}
