namespace NanoBanana.Imaging;

/// <summary>
/// Finds the "Key: value" pairs of an A1111 parameters line in one pass. It returns exactly what A1111's pattern
/// <c>\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)</c> matches, scanned left to right, but in linear time:
/// a backtracking regex retries the key at every position of a long run without ':' (quadratic: 2 MB of text
/// took minutes). Here a failed key resumes after the run it scanned, since every start inside that run ends
/// at the same character and fails the same way (the one exception, trailing spaces, is resumed from).
/// </summary>
internal static class A1111PairScanner
{
    /// <summary>One pair: its key and raw value (untrimmed, possibly quoted), and the characters it spans.</summary>
    public readonly record struct Pair(string Key, string Value, int Length);

    public static List<Pair> Scan(string line)
    {
        var pairs = new List<Pair>();
        int position = 0;
        while (position < line.Length)
        {
            int start = position, keyStart = SkipSpace(line, position), keyEnd = keyStart;
            if (keyStart < line.Length && IsWord(line[keyStart]))
            {
                keyEnd = keyStart + 1;
                while (keyEnd < line.Length && IsKeyChar(line[keyEnd])) keyEnd++;
            }
            if (keyEnd - keyStart < 2 || keyEnd >= line.Length || line[keyEnd] != ':')
            {
                // Starts inside the run fail as this one did, except where only spaces remain before a whitespace
                // character that ends the run (a tab): from there \s* reaches past the run, to a new key.
                int next = keyEnd;
                if (keyEnd < line.Length && char.IsWhiteSpace(line[keyEnd]))
                    while (next > start + 1 && line[next - 1] == ' ') next--;
                position = Math.Max(next, start + 1);
                continue;
            }
            int valueStart = SkipSpace(line, keyEnd + 1);
            int end = QuotedEnd(line, valueStart) ?? UnquotedEnd(line, valueStart);
            string value = line[valueStart..end];
            if (end < line.Length) end++; // the ',' after the value belongs to the match
            pairs.Add(new Pair(line[keyStart..keyEnd], value, end - start));
            position = end;
        }
        return pairs;
    }

    static int SkipSpace(string line, int i)
    {
        while (i < line.Length && char.IsWhiteSpace(line[i])) i++;
        return i;
    }

    // .NET's \w: letters, non-spacing marks, decimal digits and connector punctuation.
    static bool IsWord(char c) => char.GetUnicodeCategory(c) switch
    {
        System.Globalization.UnicodeCategory.UppercaseLetter or System.Globalization.UnicodeCategory.LowercaseLetter
            or System.Globalization.UnicodeCategory.TitlecaseLetter or System.Globalization.UnicodeCategory.ModifierLetter
            or System.Globalization.UnicodeCategory.OtherLetter or System.Globalization.UnicodeCategory.NonSpacingMark
            or System.Globalization.UnicodeCategory.DecimalDigitNumber or System.Globalization.UnicodeCategory.ConnectorPunctuation => true,
        _ => false,
    };

    static bool IsKeyChar(char c) => c is ' ' or '-' or '/' || IsWord(c);

    /// <summary>The end (after the closing quote) of a quoted value followed by ',' or the line's end; null when the
    /// value is not one, and the pattern's other branch (everything up to the next ',') applies.</summary>
    static int? QuotedEnd(string line, int i)
    {
        if (i >= line.Length || line[i] != '"') return null;
        int j = i + 1;
        while (j < line.Length && line[j] != '"') j += line[j] == '\\' ? 2 : 1;
        if (j >= line.Length || j == i + 1) return null; // unterminated, or "" (the pattern needs one character inside)
        j++;
        return j == line.Length || line[j] == ',' ? j : null;
    }

    static int UnquotedEnd(string line, int i)
    {
        int comma = line.IndexOf(',', i);
        return comma < 0 ? line.Length : comma;
    }
}
