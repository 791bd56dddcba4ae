using System.Globalization;

namespace NanoBanana.Imaging;

/// <summary>The plain background of a laid-out sheet: an opaque colour, or transparent (RGBA output whose alpha
/// is the part mask; the colour is then what fully transparent pixels hold).</summary>
public readonly record struct SheetBackground(byte R, byte G, byte B, bool Transparent = false)
{
    public static readonly SheetBackground White = new(255, 255, 255);

    static readonly Dictionary<string, (byte, byte, byte)> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["white"] = (255, 255, 255), ["black"] = (0, 0, 0), ["grey"] = (128, 128, 128), ["gray"] = (128, 128, 128),
        ["lightgrey"] = (211, 211, 211), ["lightgray"] = (211, 211, 211), ["ivory"] = (255, 255, 240),
    };

    /// <summary>"#RRGGBB", "RRGGBB", "r,g,b" or a name (white, black, grey, lightgrey, ivory).</summary>
    /// <exception cref="FormatException">Names the text and the accepted forms.</exception>
    public static SheetBackground Parse(string text, bool transparent = false)
    {
        string t = text.Trim();
        if (Names.TryGetValue(t, out var named)) return new(named.Item1, named.Item2, named.Item3, transparent);
        string hex = t.TrimStart('#');
        if (hex.Length == 6 && uint.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint rgb))
            return new((byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb, transparent);
        var parts = t.Split(',');
        if (parts.Length == 3 && parts.All(p => byte.TryParse(p.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            return new(byte.Parse(parts[0].Trim(), CultureInfo.InvariantCulture), byte.Parse(parts[1].Trim(), CultureInfo.InvariantCulture),
                byte.Parse(parts[2].Trim(), CultureInfo.InvariantCulture), transparent);
        throw new FormatException($"Background '{text}' is not a colour; use #RRGGBB (e.g. #FFFFFF), r,g,b (e.g. 255,255,255) or one of: {string.Join(", ", Names.Keys)}.");
    }

    /// <summary>"#RRGGBB", plus " transparent" for a transparent sheet (the form the layout stores).</summary>
    public override string ToString() => $"#{R:X2}{G:X2}{B:X2}" + (Transparent ? " transparent" : "");

    /// <summary>Reads <see cref="ToString"/>'s form back.</summary>
    public static SheetBackground FromStored(string stored) =>
        stored.EndsWith(" transparent", StringComparison.Ordinal) ? Parse(stored[..^" transparent".Length], true) : Parse(stored);
}
