using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NanoBanana.Imaging;

/// <summary>
/// Pillow's <c>ImageEnhance.Sharpness(img).enhance(factor)</c>, byte for byte: <c>Image.blend(smooth, img, factor)</c>
/// where <c>smooth</c> is the SMOOTH 3×3 filter (kernel 1,1,1 / 1,5,1 / 1,1,1, scale 13) with the 1-pixel
/// border copied unchanged, and alpha is never touched.
/// Both steps are table lookups built from Pillow's own arithmetic: the filter's rounding is exactly
/// <c>(2N + 13) / 26</c> for the integer weighted sum N, and the blend table holds Pillow's float32
/// <c>s + f·(o − s)</c>, truncated (and clipped when extrapolating), for every (smoothed, original) pair.
/// </summary>
public static class PillowSharpness
{
    private const int MaxWeightedSum = 13 * 255;

    /// <summary>SmoothTable[N] = the SMOOTH filter's output for weighted sum N = 5·centre + 8 neighbours.</summary>
    private static readonly byte[] SmoothTable = Enumerable.Range(0, MaxWeightedSum + 1).Select(n => (byte)((2 * n + 13) / 26)).ToArray();

    public static RgbaImage Apply(RgbaImage image, double factor)
    {
        if (factor < 0 || !double.IsFinite(factor))
            throw new ArgumentOutOfRangeException(nameof(factor), factor,
                $"Sharpness factor {factor.ToString(CultureInfo.InvariantCulture)} is not allowed: use a finite -Factor of 0 or more (0 = smoothed, 1 = unchanged, 2 = twice as sharp).");

        var output = new byte[image.Pixels.Length];
        Apply(image.Pixels, output, image.Width, image.Height, (float)factor);
        var result = image.WithPixels(output);
        result.Parameters.SetExtra("Sharpness", factor.ToString(CultureInfo.InvariantCulture));
        return result;
    }

    /// <summary>Sharpens RGBA rows from <paramref name="source"/> into <paramref name="destination"/> (same size, stride 4·width).</summary>
    public static void Apply(byte[] source, byte[] destination, int width, int height, float factor)
    {
        int stride = width * RgbaImage.BytesPerPixel;
        if (source.Length != stride * height || destination.Length != source.Length)
            throw new ArgumentException($"Buffers must hold {width}x{height} RGBA pixels.");

        source.CopyTo(destination, 0);
        // Images under 3 pixels in either direction are all border: Pillow copies them.
        if (width < 3 || height < 3 || factor == 1f) return;

        byte[] blend = BlendTable(factor);
        // Row bands in parallel: each output row reads three source rows and writes only itself.
        ImageRows.ForEach(1, height - 1, () => new ushort[stride], (y, columnSums) => SharpenRow(source, destination, stride, y, blend, columnSums));
    }

    /// <summary>
    /// One interior row. The 3×3 weighted sum is N = (column sums at x−1, x, x+1) + 4·centre, where a column
    /// sum adds the pixel above, the pixel and the pixel below: those are added for the whole row at once
    /// with SIMD, leaving three loads and two table lookups per channel.
    /// </summary>
    private static void SharpenRow(byte[] source, byte[] destination, int stride, int y, byte[] blend, ushort[] columnSums)
    {
        var above = source.AsSpan((y - 1) * stride, stride);
        var row = source.AsSpan(y * stride, stride);
        var below = source.AsSpan((y + 1) * stride, stride);
        AddRows(above, row, below, columnSums);

        var output = destination.AsSpan(y * stride, stride);
        ref byte smooth = ref MemoryMarshal.GetArrayDataReference(SmoothTable);
        ref byte blendTable = ref MemoryMarshal.GetArrayDataReference(blend);
        ref ushort sums = ref MemoryMarshal.GetArrayDataReference(columnSums);
        int end = stride - RgbaImage.BytesPerPixel;
        for (int i = RgbaImage.BytesPerPixel; i < end; i += RgbaImage.BytesPerPixel)
        {
            for (int c = 0; c < 3; c++)
            {
                int x = i + c;
                int centre = row[x];
                int n = Unsafe.Add(ref sums, x - 4) + Unsafe.Add(ref sums, x) + Unsafe.Add(ref sums, x + 4) + 4 * centre;
                output[x] = Unsafe.Add(ref blendTable, (Unsafe.Add(ref smooth, n) << 8) | centre);
            }
        }
    }

    private static void AddRows(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, Span<ushort> sums)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var sumVectors = MemoryMarshal.Cast<ushort, Vector<ushort>>(sums);
            for (; i + Vector<byte>.Count <= a.Length; i += Vector<byte>.Count)
            {
                Vector.Widen(new Vector<byte>(a[i..]), out var a0, out var a1);
                Vector.Widen(new Vector<byte>(b[i..]), out var b0, out var b1);
                Vector.Widen(new Vector<byte>(c[i..]), out var c0, out var c1);
                int v = i / Vector<ushort>.Count;
                sumVectors[v] = a0 + b0 + c0;
                sumVectors[v + 1] = a1 + b1 + c1;
            }
        }
        for (; i < a.Length; i++) sums[i] = (ushort)(a[i] + b[i] + c[i]);
    }

    /// <summary>Table[s·256 + o] = Pillow's ImagingBlend of smoothed value s and original o at this factor.</summary>
    private static byte[] BlendTable(float alpha)
    {
        var table = new byte[256 * 256];
        bool interpolate = alpha >= 0f && alpha <= 1f;
        for (int s = 0; s < 256; s++)
        {
            for (int o = 0; o < 256; o++)
            {
                // Same float32 operations, in the same order, as libImaging/Blend.c.
                float t = s + alpha * (o - s);
                table[(s << 8) | o] = interpolate ? (byte)t : t <= 0f ? (byte)0 : t >= 255f ? (byte)255 : (byte)t;
            }
        }
        return table;
    }
}
