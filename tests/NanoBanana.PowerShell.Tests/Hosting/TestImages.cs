using SkiaSharp;

namespace NanoBanana.PowerShell.Tests.Hosting;

/// <summary>Fixture images for hosted tests, made and read with SkiaSharp (independently of the module).</summary>
public static class TestImages
{
    /// <summary>Writes a deterministic, structured RGB or RGBA PNG (noise over gradients) and returns its path.</summary>
    public static string WritePng(string path, int width, int height, bool alpha = false, int seed = 1)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, alpha ? SKAlphaType.Unpremul : SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        var random = new Random(seed);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor(
                    (byte)((x * 255 / Math.Max(1, width - 1) + random.Next(64)) & 255),
                    (byte)((y * 255 / Math.Max(1, height - 1) + random.Next(64)) & 255),
                    (byte)random.Next(256),
                    alpha ? (byte)random.Next(256) : (byte)255));
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    public static (int Width, int Height) Size(string path)
    {
        using var codec = SKCodec.Create(path) ?? throw new InvalidDataException(path + " is not an image.");
        return (codec.Info.Width, codec.Info.Height);
    }

    public static byte[] Rgba(string path)
    {
        using var bitmap = SKBitmap.Decode(path);
        using var converted = bitmap.Copy(SKColorType.Rgba8888);
        return converted.Bytes;
    }
}
