using System.Runtime.InteropServices;

namespace NanoBanana.Imaging;

/// <summary>
/// An 8-bit image held in memory as it flows between cmdlets: RGBA, straight (unpremultiplied) alpha,
/// rows top to bottom with no padding (stride = 4 × width). Grey and palette sources are expanded to
/// RGBA when read; <see cref="HasAlpha"/> records whether the alpha channel carries information, so
/// an RGB source is written back as RGB. The generation parameters (and the part layout, in this image's pixels)
/// travel with the pixels. An image is not changed
/// after it is made: every operation returns a new one (sharing nothing writable), so a result that flows on through
/// the pipeline is the one the cmdlet returned. Producers fill rows through <see cref="Create"/>.
/// </summary>
public sealed class RgbaImage
{
    public const int BytesPerPixel = 4;

    public RgbaImage(int width, int height, byte[] pixels, bool hasAlpha, GenerationParameters? parameters = null)
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
        // Every resize makes its image through here, so a layout made for another size is rescaled once, in one place.
        if (Parameters.Layout is { } layout) Parameters.Layout = layout.ScaledTo(width, height);
    }

    /// <summary>A new opaque (alpha 255) image of the given size.</summary>
    public static RgbaImage CreateOpaque(int width, int height, GenerationParameters? parameters = null)
    {
        ImageCodec.CheckSize(width, height, "the new image");
        var pixels = new byte[width * height * BytesPerPixel];
        for (int i = 3; i < pixels.Length; i += BytesPerPixel) pixels[i] = 255;
        return new RgbaImage(width, height, pixels, hasAlpha: false, parameters);
    }

    /// <summary>Fills one row of a new image (<see cref="Create"/>).</summary>
    public delegate void RowWriter(int y, Span<Rgba32> row);

    /// <summary>A new image whose rows <paramref name="fill"/> writes, in parallel (<see cref="ImageRows"/>).</summary>
    public static RgbaImage Create(int width, int height, bool hasAlpha, GenerationParameters? parameters, RowWriter fill)
    {
        var pixels = new byte[checked(width * height * BytesPerPixel)];
        int stride = width * BytesPerPixel;
        ImageRows.ForEach(0, height, y => fill(y, MemoryMarshal.Cast<byte, Rgba32>(pixels.AsSpan(y * stride, stride))));
        return new RgbaImage(width, height, pixels, hasAlpha, parameters);
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>RGBA bytes, <c>Width * Height * 4</c> long.</summary>
    public byte[] Pixels { get; }

    public bool HasAlpha { get; }

    public GenerationParameters Parameters { get; }

    /// <summary>What the user should know about how the render made this image (e.g. prompt words dropped by
    /// truncation); images derived from it start without.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Peak device memory of the render that made this image (on the CPU: the process's resident peak).</summary>
    public long? PeakMemoryBytes { get; private init; }

    public int Stride => Width * BytesPerPixel;

    /// <summary>Row <paramref name="y"/> as pixels.</summary>
    public ReadOnlySpan<Rgba32> Row(int y) => MemoryMarshal.Cast<byte, Rgba32>(Pixels.AsSpan(y * Stride, Stride));

    /// <summary>A new image of the same size and alpha flag, carrying a copy of these parameters.</summary>
    public RgbaImage WithPixels(byte[] pixels, int? width = null, int? height = null) =>
        new(width ?? Width, height ?? Height, pixels, HasAlpha, Parameters.Clone());

    /// <summary>This image with its alpha channel replaced by <paramref name="alpha"/> (one byte per pixel, row-major).</summary>
    public RgbaImage WithAlpha(byte[] alpha)
    {
        if (alpha.Length != Width * Height) throw new ArgumentException($"A {Width}x{Height} alpha plane needs {Width * Height} bytes, got {alpha.Length}.", nameof(alpha));
        return Create(Width, Height, HasAlpha, Parameters.Clone(), (y, row) =>
        {
            Row(y).CopyTo(row);
            for (int x = 0; x < row.Length; x++) row[x].A = alpha[y * Width + x];
        });
    }

    /// <summary>The same pixels and parameters, with the peak memory of the render that made them.</summary>
    public RgbaImage WithPeakMemory(long bytes) => new(Width, Height, Pixels, HasAlpha, Parameters) { PeakMemoryBytes = bytes, Warnings = Warnings };

    /// <summary>The same pixels and parameters, with what the user should know about how they were made.</summary>
    public RgbaImage WithWarnings(IReadOnlyList<string> warnings) => new(Width, Height, Pixels, HasAlpha, Parameters) { PeakMemoryBytes = PeakMemoryBytes, Warnings = warnings };
}
