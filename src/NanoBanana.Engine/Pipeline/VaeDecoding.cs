using NanoBanana.Imaging;
using NanoBanana.Models;
using NanoBanana.Runtime;

namespace NanoBanana.Pipeline;

/// <summary>
/// Latents → RGB: divide by the VAE scaling factor, run vae_decoder (in the dtype it declares — an fp16
/// SDXL decoder may overflow to NaN unless it is the fp16-fix VAE, which is why exports should keep it
/// fp32), and map [-1, 1] to bytes as round-half-up of (x/2 + 0.5)·255, clamped to 0..255.
/// </summary>
public sealed class VaeDecoding
{
    readonly ModelSessions _sessions;

    public VaeDecoding(ModelSessions sessions) => _sessions = sessions ?? throw new ArgumentNullException(nameof(sessions));

    /// <summary>Decodes batch-1 latents [1, C, h, w] to an opaque RGBA8 image of 8w × 8h carrying <paramref name="parameters"/>.</summary>
    public RgbaImage Decode(float[] latents, int channels, int latentHeight, int latentWidth, VaeTiling? tiling, GenerationParameters parameters, CancellationToken cancellationToken)
    {
        float scale = _sessions.Model.VaeScalingFactor;
        var scaled = Array.ConvertAll(latents, x => x / scale);
        int height = latentHeight * 8, width = latentWidth * 8;
        float[] rgb = tiling is null || (latentHeight <= tiling.TileSize && latentWidth <= tiling.TileSize)
            ? Run(scaled, channels, latentHeight, latentWidth, cancellationToken)
            : DecodeTiled(scaled, channels, latentHeight, latentWidth, tiling, cancellationToken);

        int plane = width * height;
        return RgbaImage.Create(width, height, hasAlpha: false, parameters, (y, row) =>
        {
            for (int x = 0, i = y * width; x < width; x++, i++)
                row[x] = new Rgba32(ToByte(rgb[i]), ToByte(rgb[plane + i]), ToByte(rgb[2 * plane + i]), 255);
        });
    }

    /// <summary>round-half-up((x/2 + 0.5)·255) clamped; NaN (fp16 overflow) maps to 0.</summary>
    public static byte ToByte(float x)
    {
        float v = MathF.Floor((x / 2f + 0.5f) * 255f + 0.5f);
        return float.IsNaN(v) ? (byte)0 : (byte)Math.Clamp(v, 0f, 255f);
    }

    float[] Run(float[] latents, int channels, int h, int w, CancellationToken cancellationToken)
    {
        var decoder = _sessions.Model[DiffusionModel.VaeDecoder];
        var input = decoder.Inputs[0];
        using var value = OrtTensors.Floats(latents, [1, channels, h, w], input.ElementType);
        using var results = CancellableRun.Run(_sessions.Get(DiffusionModel.VaeDecoder), [input.Name], [value], [decoder.Outputs[0].Name], cancellationToken);
        return OrtTensors.ReadFloats(results[0]);
    }

    /// <summary>Decodes overlapping tiles and blends them with weights that ramp linearly across the
    /// overlap on every side that has a neighbour, so seams fade instead of cutting.</summary>
    float[] DecodeTiled(float[] latents, int channels, int h, int w, VaeTiling tiling, CancellationToken cancellationToken)
    {
        tiling.Validate();
        int H = h * 8, W = w * 8;
        var sum = new float[3 * H * W];
        var weight = new float[H * W];
        foreach (int ty in tiling.TileOrigins(h))
        foreach (int tx in tiling.TileOrigins(w))
        {
            int th = Math.Min(tiling.TileSize, h - ty), tw = Math.Min(tiling.TileSize, w - tx);
            var tile = new float[channels * th * tw];
            for (int c = 0; c < channels; c++)
                for (int y = 0; y < th; y++)
                    latents.AsSpan(c * h * w + (ty + y) * w + tx, tw).CopyTo(tile.AsSpan(c * th * tw + y * tw));
            var rgb = Run(tile, channels, th, tw, cancellationToken);
            int ph = th * 8, pw = tw * 8, ramp = tiling.Overlap * 8;
            for (int y = 0; y < ph; y++)
            {
                float wy = Ramp(y, ph, ramp, ty > 0, ty + th < h);
                for (int x = 0; x < pw; x++)
                {
                    float wgt = wy * Ramp(x, pw, ramp, tx > 0, tx + tw < w);
                    int o = (ty * 8 + y) * W + tx * 8 + x;
                    weight[o] += wgt;
                    for (int c = 0; c < 3; c++) sum[c * H * W + o] += wgt * rgb[c * ph * pw + y * pw + x];
                }
            }
        }
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < H * W; i++) sum[c * H * W + i] /= weight[i];
        return sum;
    }

    static float Ramp(int i, int length, int ramp, bool before, bool after)
    {
        if (ramp == 0) return 1f;
        float wgt = 1f;
        if (before) wgt = Math.Min(wgt, (i + 0.5f) / ramp);
        if (after) wgt = Math.Min(wgt, (length - i - 0.5f) / ramp);
        return wgt;
    }
}
