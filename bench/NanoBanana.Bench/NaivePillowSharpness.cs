namespace NanoBanana.Bench;

/// <summary>
/// The baseline: Pillow's algorithm written the obvious way, pixel by pixel with float kernels and a
/// separate smoothed image, as a reimplementation would start. The engine's version must beat it.
/// </summary>
internal static class NaivePillowSharpness
{
    public static byte[] Apply(byte[] rgba, int width, int height, float factor)
    {
        var smooth = (byte[])rgba.Clone();
        float[] kernel = { 1 / 13f, 1 / 13f, 1 / 13f, 1 / 13f, 5 / 13f, 1 / 13f, 1 / 13f, 1 / 13f, 1 / 13f };
        for (int y = 1; y < height - 1; y++)
            for (int x = 1; x < width - 1; x++)
                for (int c = 0; c < 3; c++)
                {
                    float sum = 0.5f;
                    int k = 0;
                    for (int dy = 1; dy >= -1; dy--)
                        for (int dx = -1; dx <= 1; dx++)
                            sum += rgba[((y + dy) * width + x + dx) * 4 + c] * kernel[k++];
                    smooth[(y * width + x) * 4 + c] = sum <= 0 ? (byte)0 : sum >= 255 ? (byte)255 : (byte)sum;
                }
        var output = new byte[rgba.Length];
        for (int i = 0; i < rgba.Length; i++)
        {
            float t = smooth[i] + factor * (rgba[i] - smooth[i]);
            output[i] = t <= 0 ? (byte)0 : t >= 255 ? (byte)255 : (byte)t;
        }
        return output;
    }
}
