namespace NanoBanana.Imaging;

/// <summary>How closely one image matches another (RGB channels; alpha is not compared).</summary>
public sealed record ImageComparisonResult(int Width, int Height, double Ssim, double Psnr, int MaxDifference, double DifferentPixelFraction);
