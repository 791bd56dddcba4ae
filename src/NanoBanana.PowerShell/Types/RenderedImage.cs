using System.Collections;
using NanoBanana.Imaging;

namespace NanoBanana;

/// <summary>
/// An image as it flows through a NanoBanana pipeline: the pixels stay in memory (in <see cref="Image"/>),
/// the generation parameters travel with them, and <see cref="Path"/> is set once the image is written.
/// This type lives in the cmdlet assembly, which PowerShell loads in its default context, so scripts can
/// name it: <c>$r -is [NanoBanana.RenderedImage]</c>.
/// </summary>
public sealed class RenderedImage
{
    internal RenderedImage(RgbaImage image, string name, string? path = null, TimeSpan? elapsed = null, long? peakMemoryBytes = null)
    {
        Image = image;
        Name = name;
        Path = path;
        Elapsed = elapsed ?? TimeSpan.Zero;
        PeakMemoryBytes = peakMemoryBytes;
    }

    /// <summary>Product name (from the CSV row) or the source file's name; output files are named after it.</summary>
    public string Name { get; }

    public int Width => Image.Width;

    public int Height => Image.Height;

    public bool HasAlpha => Image.HasAlpha;

    public string Prompt => Image.Parameters.Prompt;

    public string NegativePrompt => Image.Parameters.NegativePrompt;

    public long? Seed => Image.Parameters.Seed;

    public int? Steps => Image.Parameters.Steps;

    public double? CfgScale => Image.Parameters.CfgScale;

    /// <summary>Sampler (scheduler) as A1111 names it, e.g. "Euler a".</summary>
    public string? Scheduler => Image.Parameters.Sampler;

    public string? Model => Image.Parameters.Model;

    public Hashtable LoraWeights => new(Image.Parameters.LoraWeights, StringComparer.OrdinalIgnoreCase);

    /// <summary>The file the image was read from or written to; empty while it exists only in memory.</summary>
    public string? Path { get; }

    /// <summary>Time the producing cmdlet spent on this image.</summary>
    public TimeSpan Elapsed { get; }

    public long? PeakMemoryBytes { get; }

    /// <summary>The pixels and parameters (engine object).</summary>
    [System.Management.Automation.Hidden]
    public RgbaImage Image { get; }

    internal RenderedImage With(RgbaImage image, TimeSpan elapsed, long? peakMemoryBytes = null) => new(image, Name, null, elapsed, peakMemoryBytes);

    internal RenderedImage WrittenTo(string path) => new(Image, Name, path, Elapsed, PeakMemoryBytes);

    public override string ToString() => Path ?? $"{Name} ({Width}x{Height})";
}
