namespace NanoBanana.Optimization;

/// <summary>Bits per quantised weight.</summary>
public enum WeightBits
{
    Int8 = 8,
    Int4 = 4,
}

/// <summary>
/// Symmetric block-wise quantisation in ONNX Runtime's <c>com.microsoft.MatMulNBits</c> layout: for a weight
/// W[N][K] (out, in) each row is cut into blocks of <c>blockSize</c> along K, each block gets one scale
/// (max |w| / (2^(bits-1) - 1)), and codes are stored unsigned with the operator's default zero point
/// 2^(bits-1), so no zero-point input is needed. B is [N][blocks][blockSize·bits/8] bytes, 4-bit codes packed
/// low nibble first; scales are [N·blocks], row-major. A last partial block is padded with zero codes.
/// </summary>
public static class BlockQuantizer
{
    public static int BlockCount(long k, int blockSize) => (int)((k + blockSize - 1) / blockSize);

    public static int BlobSize(int blockSize, WeightBits bits) => blockSize * (int)bits / 8;

    /// <summary>Quantises one row-major [N][K] weight; <paramref name="at"/>(n, k) reads W[n][k].</summary>
    public static (byte[] Codes, float[] Scales) Quantize(int n, int k, Func<int, int, float> at, WeightBits bits, int blockSize)
    {
        int blocks = BlockCount(k, blockSize), blob = BlobSize(blockSize, bits), zero = 1 << ((int)bits - 1), max = zero - 1;
        var codes = new byte[(long)n * blocks * blob];
        var scales = new float[n * blocks];
        var block = new float[blockSize];
        for (int row = 0; row < n; row++)
            for (int b = 0; b < blocks; b++)
            {
                float amax = 0;
                for (int i = 0; i < blockSize; i++)
                {
                    int col = b * blockSize + i;
                    block[i] = col < k ? at(row, col) : 0f;
                    amax = Math.Max(amax, Math.Abs(block[i]));
                }
                float scale = amax / max;
                scales[row * blocks + b] = scale;
                long offset = ((long)row * blocks + b) * blob;
                for (int i = 0; i < blockSize; i++)
                {
                    int q = scale == 0 ? 0 : (int)Math.Clamp(MathF.Round(block[i] / scale), -max, max);
                    int code = q + zero;
                    if (bits == WeightBits.Int8) codes[offset + i] = (byte)code;
                    else codes[offset + i / 2] |= (byte)(i % 2 == 0 ? code : code << 4);
                }
            }
        return (codes, scales);
    }

    /// <summary>The weight the operator computes with: W'[n][k] = (code - 2^(bits-1)) · scale.</summary>
    public static float Dequantize(byte[] codes, float[] scales, int k, int row, int col, WeightBits bits, int blockSize)
    {
        int blocks = BlockCount(k, blockSize), blob = BlobSize(blockSize, bits), b = col / blockSize, i = col % blockSize;
        long offset = ((long)row * blocks + b) * blob;
        int code = bits == WeightBits.Int8 ? codes[offset + i] : (codes[offset + i / 2] >> (i % 2 * 4)) & 0xF;
        return (code - (1 << ((int)bits - 1))) * scales[row * blocks + b];
    }
}
