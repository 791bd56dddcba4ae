namespace NanoBanana.Optimization;

/// <summary>
/// Symmetric int8 quantisation per output column, in the layout of ONNX Runtime's
/// <c>com.microsoft.DynamicQuantizeMatMul</c>: for a weight W[K][N] (in, out) each column n gets one scale
/// (max |w| / <see cref="MaxCode"/>) and codes are signed int8 stored [K][N] row-major, zero point 0. The activations are
/// quantised by the operator itself at every run (<see cref="QuantizationScheme.Dynamic"/>).
/// </summary>
public static class ColumnQuantizer
{
    /// <summary>Codes use 7 bits (ONNX Runtime's <c>reduce_range</c>): x86 CPUs without VNNI multiply uint8 activations by
    /// int8 weights with <c>vpmaddubsw</c>, which saturates a pair of full-range products at int16 (2 · 255 · 127 &gt;
    /// 32,767); measured on this project's AVX2 machine, full-range codes put one linear layer 16 % off.</summary>
    public const int MaxCode = 63;

    /// <summary>Quantises one weight; <paramref name="at"/>(n, k) reads W[n][k] (out, in), as
    /// <see cref="BlockQuantizer.Quantize"/> takes it.</summary>
    public static (sbyte[] Codes, float[] Scales) Quantize(int n, int k, Func<int, int, float> at)
    {
        var codes = new sbyte[(long)k * n];
        var scales = new float[n];
        for (int column = 0; column < n; column++)
        {
            float amax = 0;
            for (int row = 0; row < k; row++) amax = Math.Max(amax, Math.Abs(at(column, row)));
            float scale = amax / MaxCode;
            scales[column] = scale;
            for (int row = 0; row < k; row++)
                codes[(long)row * n + column] = scale == 0 ? (sbyte)0 : (sbyte)Math.Clamp(MathF.Round(at(column, row) / scale), -MaxCode, MaxCode);
        }
        return (codes, scales);
    }

    /// <summary>The weight the operator computes with: W'[k][n] = code · scale[n].</summary>
    public static float Dequantize(sbyte[] codes, float[] scales, int n, int row, int column) => codes[(long)row * n + column] * scales[column];
}
