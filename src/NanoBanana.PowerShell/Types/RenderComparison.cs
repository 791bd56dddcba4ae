namespace NanoBanana;

/// <summary>How closely an image matches a reference: what Pester regression checks assert on.</summary>
public sealed class RenderComparison
{
    internal RenderComparison(string referencePath, string difference, int width, int height, double ssim, double psnr, int maxDifference, double differentPixelFraction, string? diffImagePath)
    {
        ReferencePath = referencePath;
        DifferencePath = difference;
        Width = width;
        Height = height;
        Ssim = ssim;
        Psnr = psnr;
        MaxDifference = maxDifference;
        DifferentPixelFraction = differentPixelFraction;
        DiffImagePath = diffImagePath;
    }

    public string ReferencePath { get; }

    /// <summary>The compared image: its path, or its name when it came from the pipeline in memory.</summary>
    public string DifferencePath { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Structural similarity (Wang et al.; Gaussian window σ 1.5; RGB channels averaged), 1 = identical.</summary>
    public double Ssim { get; }

    /// <summary>Peak signal-to-noise ratio in dB; +∞ for identical images.</summary>
    public double Psnr { get; }

    /// <summary>Largest absolute difference of any channel of any pixel (0–255).</summary>
    public int MaxDifference { get; }

    /// <summary>Fraction of pixels with any channel different (0–1).</summary>
    public double DifferentPixelFraction { get; }

    public string? DiffImagePath { get; }
}
