namespace NanoBanana.Imaging;

/// <summary>
/// An 8-bit image held in memory as it flows between cmdlets: RGBA, straight (unpremultiplied) alpha,
/// rows top to bottom with no padding (stride = 4 × width). Grey and palette sources are expanded to
/// RGBA when read; <see cref="HasAlpha"/> records whether the alpha channel carries information, so
/// an RGB source is written back as RGB. The generation parameters travel with the pixels.
/// </summary>
public sealed class RenderImage
{
    public const int BytesPerPixel = 4;

    public RenderImage(int width, int height, byte[] pixels, bool hasAlpha, GenerationParameters? parameters = null)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"Image size {width}x{height} must be positive.");
        if (pixels.Length != (long)width * height * BytesPerPixel)
            throw new ArgumentException($"A {width}x{height} RGBA image needs {(long)width * height * BytesPerPixel} bytes, got {pixels.Length}.", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
        HasAlpha = hasAlpha;
        Parameters = parameters ?? new GenerationParameters();
    }

    /// <summary>A new opaque (alpha 255) image of the given size.</summary>
    public static RenderImage CreateOpaque(int width, int height, GenerationParameters? parameters = null)
    {
        ImageCodec.CheckSize(width, height, "the new image");
        var pixels = new byte[width * height * BytesPerPixel];
        for (int i = 3; i < pixels.Length; i += BytesPerPixel) pixels[i] = 255;
        return new RenderImage(width, height, pixels, hasAlpha: false, parameters);
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>RGBA bytes, <c>Width * Height * 4</c> long.</summary>
    public byte[] Pixels { get; }

    public bool HasAlpha { get; }

    public GenerationParameters Parameters { get; }

    /// <summary>The file this image was read from or last written to, if any.</summary>
    public string? SourcePath { get; set; }

    /// <summary>Peak device memory of the render that made this image (on the CPU: the process's resident peak).</summary>
    public long? PeakMemoryBytes { get; set; }

    public int Stride => Width * BytesPerPixel;

    public Span<byte> Row(int y) => Pixels.AsSpan(y * Stride, Stride);

    /// <summary>A new image of the same size and alpha flag, carrying a copy of these parameters.</summary>
    public RenderImage WithPixels(byte[] pixels, int? width = null, int? height = null) =>
        new(width ?? Width, height ?? Height, pixels, HasAlpha, Parameters.Clone()) { SourcePath = null };
}
