using System.Text;
using System.Text.RegularExpressions;

namespace NanoBanana.HelpBuilder;

/// <summary>
/// Reads the platyPS-like Markdown help format: <c># Verb-Noun</c>, then <c>## SYNOPSIS</c>, <c>## DESCRIPTION</c>,
/// <c>## PARAMETERS</c> (<c>### -Name</c> subsections), <c>## INPUTS</c>, <c>## OUTPUTS</c>, <c>## EXAMPLES</c>
/// (<c>### Example 1: title</c>, a <c>```powershell</c> block, then remarks), <c>## NOTES</c>, <c>## RELATED LINKS</c>.
/// Only prose is read; everything structural comes from the cmdlet assembly.
/// </summary>
public static partial class MarkdownHelpParser
{
    private static readonly string[] KnownSections =
        { "SYNOPSIS", "DESCRIPTION", "SYNTAX", "PARAMETERS", "INPUTS", "OUTPUTS", "EXAMPLES", "NOTES", "RELATED LINKS" };

    public static MarkdownHelp Parse(string path, List<HelpError> errors)
    {
        string[] lines = File.ReadAllLines(path);
        int titleIndex = Array.FindIndex(lines, l => l.StartsWith("# ", StringComparison.Ordinal));
        if (titleIndex < 0)
        {
            errors.Add(new HelpError(path, 1, "has no '# Verb-Noun' title line."));
            return new MarkdownHelp { FilePath = path, CommandName = Path.GetFileNameWithoutExtension(path) };
        }
        var help = new MarkdownHelp { FilePath = path, CommandName = lines[titleIndex][2..].Trim() };

        foreach (var section in Split(lines, titleIndex + 1, "## "))
        {
            string name = section.Heading.ToUpperInvariant();
            if (!KnownSections.Contains(name))
            {
                errors.Add(new HelpError(path, section.Line, $"unknown section '## {section.Heading}' (expected one of {string.Join(", ", KnownSections)})."));
                continue;
            }
            switch (name)
            {
                case "SYNOPSIS": help.Synopsis = Prose(section.Body); break;
                case "DESCRIPTION": help.Description = Prose(section.Body); break;
                case "SYNTAX": break; // generated from the assembly; a hand-written copy would only drift.
                case "NOTES": help.Notes = Prose(section.Body); break;
                case "PARAMETERS": ParseParameters(help, section, errors); break;
                case "INPUTS": help.Inputs.AddRange(TypedNotes(section)); break;
                case "OUTPUTS": help.Outputs.AddRange(TypedNotes(section)); break;
                case "EXAMPLES": ParseExamples(help, section, errors); break;
                case "RELATED LINKS": help.RelatedLinks.AddRange(Links(section.Body)); break;
            }
        }
        return help;
    }

    private static void ParseParameters(MarkdownHelp help, Section section, List<HelpError> errors)
    {
        foreach (var sub in Split(section.Body, 0, "### ", section.Line))
        {
            if (sub.Heading.Equals("CommonParameters", StringComparison.OrdinalIgnoreCase)) continue;
            if (!sub.Heading.StartsWith('-'))
            {
                errors.Add(new HelpError(help.FilePath, sub.Line, $"parameter heading '### {sub.Heading}' must be '### -Name'."));
                continue;
            }
            string name = sub.Heading[1..].Trim();
            if (!help.Parameters.TryAdd(name, (Prose(sub.Body), sub.Line)))
                errors.Add(new HelpError(help.FilePath, sub.Line, $"parameter -{name} is documented twice."));
        }
    }

    private static void ParseExamples(MarkdownHelp help, Section section, List<HelpError> errors)
    {
        foreach (var sub in Split(section.Body, 0, "### ", section.Line))
        {
            // The first fenced block is the example's code; every other line (later blocks included) is the remarks.
            int open = sub.Body.FindIndex(IsFence);
            int close = open < 0 ? -1 : sub.Body.FindIndex(open + 1, IsFence);
            if (open < 0 || close < 0)
            {
                errors.Add(new HelpError(help.FilePath, sub.Line, $"example '{sub.Heading}' has no closed ```powershell code block."));
                continue;
            }
            string code = string.Join("\n", sub.Body.Skip(open + 1).Take(close - open - 1)).Trim('\n');
            if (code.Trim().Length == 0)
                errors.Add(new HelpError(help.FilePath, sub.Line, $"example '{sub.Heading}' has an empty code block."));
            var remarks = sub.Body.Take(open).Concat(sub.Body.Skip(close + 1));
            help.Examples.Add(new HelpExample(sub.Heading, code, Prose(remarks), sub.Line));
        }
    }

    private static bool IsFence(string line) => line.TrimStart().StartsWith("```", StringComparison.Ordinal);

    private static IEnumerable<TypedNote> TypedNotes(Section section)
    {
        var subs = Split(section.Body, 0, "### ", section.Line).ToList();
        if (subs.Count == 0)
        {
            string text = Prose(section.Body);
            if (text.Length > 0) yield return new TypedNote("None", text);
            yield break;
        }
        foreach (var sub in subs) yield return new TypedNote(sub.Heading.Trim(), Prose(sub.Body));
    }

    private static IEnumerable<RelatedLink> Links(IEnumerable<string> body)
    {
        foreach (string raw in body)
        {
            string line = raw.Trim().TrimStart('-', '*').Trim();
            if (line.Length == 0) continue;
            var match = LinkPattern().Match(line);
            yield return match.Success ? new RelatedLink(match.Groups[1].Value, match.Groups[2].Value) : new RelatedLink(line, "");
        }
    }

    /// <summary>Blank lines separate paragraphs; lines inside a paragraph are joined, list items keep their own line.</summary>
    internal static string Prose(IEnumerable<string> body)
    {
        var paragraphs = new List<string>();
        var current = new StringBuilder();
        bool inFence = false;
        foreach (string raw in body)
        {
            string line = raw.TrimEnd();
            bool fence = IsFence(line);
            if (fence) inFence = !inFence;
            if (!inFence && line.Trim().Length == 0)
            {
                if (current.Length > 0) { paragraphs.Add(current.ToString()); current.Clear(); }
                continue;
            }
            if (current.Length > 0)
                current.Append(inFence || fence || IsListItem(line) ? "\n" : " ");
            current.Append(inFence || fence ? line : line.Trim());
        }
        if (current.Length > 0) paragraphs.Add(current.ToString());
        return string.Join("\n\n", paragraphs).Trim();
    }

    private static bool IsListItem(string line)
    {
        string t = line.TrimStart();
        return t.StartsWith("- ", StringComparison.Ordinal) || t.StartsWith("* ", StringComparison.Ordinal) || ListNumber().IsMatch(t);
    }

    private sealed record Section(string Heading, int Line, List<string> Body);

    /// <summary>Splits lines at headings with the given prefix (outside code fences); text before the first heading is dropped.</summary>
    private static IEnumerable<Section> Split(IReadOnlyList<string> lines, int start, string prefix, int lineOffset = 0)
    {
        Section? current = null;
        bool inFence = false;
        for (int i = start; i < lines.Count; i++)
        {
            string line = lines[i];
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) inFence = !inFence;
            if (!inFence && line.StartsWith(prefix, StringComparison.Ordinal))
            {
                if (current is not null) yield return current;
                current = new Section(line[prefix.Length..].Trim(), lineOffset + i + 1, new List<string>());
            }
            else current?.Body.Add(line);
        }
        if (current is not null) yield return current;
    }

    [GeneratedRegex(@"^\[([^\]]+)\]\(([^)]*)\)")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"^\d+\.\s")]
    private static partial Regex ListNumber();
}
