using SkiaSharp;

namespace NanoBanana.Imaging;

/// <summary>
/// Resizes images with SkiaSharp: Catmull-Rom bicubic when enlarging, trilinear mipmaps (box-filtered levels,
/// so an exact halving is a 2×2 average) when shrinking. Alpha is resized on its own plane, so colour
/// never bleeds through transparent pixels.
/// </summary>
public static class ImageResampler
{
    public static RgbaImage Resize(RgbaImage image, int width, int height)
    {
        bool enlarging = width >= image.Width && height >= image.Height;
        var sampling = enlarging ? new SKSamplingOptions(SKCubicResampler.CatmullRom) : new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
        var output = ResizePlane(image.Pixels, image.Width, image.Height, width, height, SKColorType.Rgba8888, SKAlphaType.Opaque, sampling);
        if (image.HasAlpha)
        {
            var alpha = ResizeAlpha(image, width, height, sampling);
            for (int i = 0; i < alpha.Length; i++) output[i * 4 + 3] = alpha[i];
        }
        else
        {
            for (int i = 3; i < output.Length; i += 4) output[i] = 255;
        }
        return image.WithPixels(output, width, height);
    }

    /// <summary>The alpha channel alone, resized to the given size with bicubic interpolation.</summary>
    public static byte[] ResizeAlpha(RgbaImage image, int width, int height) =>
        ResizeAlpha(image, width, height, new SKSamplingOptions(SKCubicResampler.CatmullRom));

    private static byte[] ResizeAlpha(RgbaImage image, int width, int height, SKSamplingOptions sampling)
    {
        var plane = new byte[image.Width * image.Height];
        for (int i = 0; i < plane.Length; i++) plane[i] = image.Pixels[i * 4 + 3];
        return ResizePlane(plane, image.Width, image.Height, width, height, SKColorType.Gray8, SKAlphaType.Opaque, sampling);
    }

    private static byte[] ResizePlane(byte[] pixels, int width, int height, int newWidth, int newHeight, SKColorType type, SKAlphaType alpha, SKSamplingOptions sampling)
    {
        var sourceInfo = new SKImageInfo(width, height, type, alpha);
        var targetInfo = new SKImageInfo(newWidth, newHeight, type, alpha);
        var output = new byte[targetInfo.BytesSize];
        unsafe
        {
            fixed (byte* source = pixels)
            fixed (byte* target = output)
            {
                using var sourcePixmap = new SKPixmap(sourceInfo, (IntPtr)source, sourceInfo.RowBytes);
                using var targetPixmap = new SKPixmap(targetInfo, (IntPtr)target, targetInfo.RowBytes);
                if (!sourcePixmap.ScalePixels(targetPixmap, sampling))
                    throw new InvalidOperationException($"SkiaSharp could not resize {width}x{height} to {newWidth}x{newHeight}.");
            }
        }
        return output;
    }
}
