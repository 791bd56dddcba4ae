using System.Text;

namespace NanoBanana.Limits;

/// <summary>Untrusted text as an error message may quote it: control characters shown as \uXXXX escapes and cut
/// to a short length, so a garbage line cannot flood or rewrite the terminal.</summary>
public static class Excerpt
{
    public const int DefaultLength = 80;

    public static string Of(string text, int maxLength = DefaultLength)
    {
        var result = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (result.Length >= maxLength)
            {
                result.Append('…');
                break;
            }
            if (Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.Control or System.Globalization.UnicodeCategory.Format
                or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator)
                result.Append($"\\u{rune.Value:X4}"); // bidi overrides and zero-width marks are Format
            else result.Append(rune.ToString());
        }
        return result.ToString();
    }
}
