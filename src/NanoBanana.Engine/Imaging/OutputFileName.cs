using System.Text;

namespace NanoBanana.Imaging;

/// <summary>
/// Turns a product name from a CSV row into a safe file name. Any character that could leave the
/// output directory or is invalid on Windows or Linux (separators, "..", control and reserved
/// characters, reserved device names) is replaced, so no CSV value can write outside the folder.
/// </summary>
public static class OutputFileName
{
    private static readonly HashSet<char> Invalid = new(Path.GetInvalidFileNameChars().Concat("<>:\"/\\|?*"));

    private static readonly HashSet<string> ReservedWindowsNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    /// <summary>A stem's UTF-8 length: file systems count bytes (255 on ext4, NTFS 255 UTF-16 units), and the
    /// ".png" extension and the atomic writer's temporary suffix need room too.</summary>
    public const int MaxBytes = Limits.InputLimits.MaxFileNameBytes;

    /// <summary>A file name stem (no extension) built from <paramref name="name"/>; never empty.</summary>
    public static string Sanitize(string? name, string fallback = "render")
    {
        var builder = new StringBuilder();
        foreach (char c in (name ?? "").Trim())
            builder.Append(Invalid.Contains(c) || char.IsControl(c) ? '_' : c);
        string stem = builder.ToString().Trim(' ', '.');
        while (stem.Contains("..", StringComparison.Ordinal)) stem = stem.Replace("..", ".", StringComparison.Ordinal);
        stem = CutToBytes(stem, MaxBytes).TrimEnd(' ', '.');
        if (stem.Length == 0) stem = fallback;
        if (ReservedWindowsNames.Contains(stem.Split('.')[0])) stem = "_" + stem;
        return stem;
    }

    /// <summary>The longest prefix of whole characters (grapheme clusters: a surrogate pair or an emoji with its
    /// modifiers is never split) whose UTF-8 encoding fits <paramref name="maxBytes"/>.</summary>
    static string CutToBytes(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(text) <= maxBytes) return text;
        int length = 0, bytes = 0;
        var elements = System.Globalization.StringInfo.GetTextElementEnumerator(text);
        while (elements.MoveNext())
        {
            string element = elements.GetTextElement();
            bytes += Encoding.UTF8.GetByteCount(element);
            if (bytes > maxBytes) break;
            length += element.Length;
        }
        return text[..length];
    }

    /// <summary>The PNG path for <paramref name="name"/> inside <paramref name="directory"/>; guaranteed to stay inside it.</summary>
    public static string InDirectory(string directory, string? name)
    {
        string full = Path.GetFullPath(Path.Combine(directory, Sanitize(name) + ".png"));
        string root = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if (!full.StartsWith(root, StringComparison.Ordinal))
            throw new InvalidOperationException($"The output name '{name}' would leave the output directory '{directory}'.");
        return full;
    }
}
