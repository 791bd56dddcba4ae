using System.Globalization;

namespace NanoBanana.Imaging.Upscaling;

/// <summary>One layer line of an ncnn <c>.param</c> file: type, name, blobs and its numbered parameters.</summary>
public sealed record NcnnLayer(int LineNumber, string Type, string Name, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, IReadOnlyDictionary<int, string[]> Parameters)
{
    public int Int(int key, int fallback) => !Parameters.TryGetValue(key, out var v) ? fallback
        : ParseNumber(key, v[0]) is var n && n == Math.Floor(n) && n is >= int.MinValue and <= int.MaxValue ? (int)n
        : throw new NcnnFormatException($"{Describe}: parameter {key} has the value '{v[0]}', which is not a whole number in range.");

    public float Float(int key, float fallback) => Parameters.TryGetValue(key, out var v) ? (float)ParseNumber(key, v[0]) : fallback;

    /// <summary>An array parameter (written <c>-23300-key=count,v1,v2…</c>), without its count.</summary>
    public float[] Floats(int key) =>
        Parameters.TryGetValue(key, out var v) ? v.Skip(1).Select(s => (float)ParseNumber(key, s)).ToArray() : Array.Empty<float>();

    public string Describe => $"layer '{Name}' ({Type}, line {LineNumber})";

    private double ParseNumber(int key, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
            ? value
            : throw new NcnnFormatException($"{Describe}: parameter {key} has the value '{text}', which is not a finite number.");
}
