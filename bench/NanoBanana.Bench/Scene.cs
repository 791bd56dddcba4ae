using SkiaSharp;
using NanoBanana.Imaging;

namespace NanoBanana.Bench;

/// <summary>Deterministic benchmark inputs.</summary>
internal static class Scene
{
    public static RgbaImage Noise(int width, int height)
    {
        var pixels = new byte[width * height * 4];
        new Random(1).NextBytes(pixels);
        return new RgbaImage(width, height, pixels, hasAlpha: true);
    }

    /// <summary>A product-shot-like picture: soft background, shapes, edges and fine lines.</summary>
    public static RgbaImage Photo(int width, int height, int seed = 7)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var surface = SKSurface.Create(info);
        var canvas = surface.Canvas;
        using var background = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width, height),
            new[] { new SKColor(245, 243, 238), new SKColor(205, 210, 220) }, SKShaderTileMode.Clamp);
        using var paint = new SKPaint { IsAntialias = true, Shader = background };
        canvas.DrawRect(0, 0, width, height, paint);
        paint.Shader = null;
        var random = new Random(seed);
        for (int i = 0; i < 40; i++)
        {
            paint.Color = new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            float x = random.NextSingle() * width, y = random.NextSingle() * height, r = (0.02f + random.NextSingle() * 0.08f) * width;
            if (i % 3 == 0) canvas.DrawCircle(x, y, r, paint);
            else if (i % 3 == 1) canvas.DrawRoundRect(x, y, r * 2, r, r / 4, r / 4, paint);
            else
            {
                paint.StrokeWidth = 1 + random.Next(3);
                canvas.DrawLine(x, y, x + r * 3, y + r, paint);
            }
        }
        var pixels = new byte[info.BytesSize];
        unsafe
        {
            fixed (byte* p = pixels) surface.ReadPixels(info, (IntPtr)p, info.RowBytes, 0, 0);
        }
        return new RgbaImage(width, height, pixels, hasAlpha: false);
    }
}
