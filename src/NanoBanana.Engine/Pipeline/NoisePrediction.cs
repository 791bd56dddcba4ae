using NanoBanana.Lora;
using NanoBanana.Unet;

namespace NanoBanana.Pipeline;

/// <summary>
/// One step's noise prediction with classifier-free guidance, over the whole latent and, with regional prompts, over
/// regions — MultiDiffusion-style (Bar-Tal et al., 2023; ComfyUI's area conditioning and InvokeAI's regional guidance
/// work alike). Every window — the whole latent under the global prompt, and each region's box plus
/// <see cref="MarginLatents"/> of context, grown to whole UNet tiles, under the region's own prompt — is predicted
/// with its own guidance, and the predictions are averaged per latent pixel with weights: 1 for the whole latent,
/// <see cref="RegionWeight"/> for a region inside its box, falling linearly to 0 across the margin (feathered, so no
/// seam). Outside every region's window the prediction is exactly the global one, and a region costs its window's
/// area, not a whole image. Windows of one shape and prompt length share one batched UNet call, and every call of a
/// step goes to the runner together, so a streamed segment loads once per step for all of them. Without regions this
/// is plain classifier-free guidance, bit for bit.
/// </summary>
public sealed class NoisePrediction
{
    /// <summary>Context around each region's box, in latent pixels (32 image pixels).</summary>
    public const int MarginLatents = 4;

    /// <summary>A region's weight inside its box against the whole latent's 1: the part's own prompt decides its pixels
    /// (80 %) while the global prompt keeps style and lighting shared across regions.</summary>
    public const float RegionWeight = 4f;

    /// <summary>Windows are whole multiples of this many latents (64 pixels): sizes every SD/SDXL UNet accepts.</summary>
    const int Tile = 8;

    /// <summary>A latent window, its conditioning pair and its blend weights (null: 1 everywhere).</summary>
    sealed record Window(int X, int Y, int Width, int Height, TextConditioning Cond, TextConditioning Uncond, float[]? TimeIds, float[]? Weights);

    readonly IReadOnlyList<Window> _windows;
    readonly int _channels, _lh, _lw;
    readonly double _cfgScale;
    readonly GuidanceBatching _batching;
    readonly float[]? _timestepCond;

    NoisePrediction(IReadOnlyList<Window> windows, int channels, int lh, int lw, double cfgScale, GuidanceBatching batching, float[]? timestepCond)
    {
        _timestepCond = timestepCond;
        _windows = windows;
        _channels = channels;
        _lh = lh;
        _lw = lw;
        _cfgScale = cfgScale;
        _batching = batching;
    }

    /// <summary>Classifier-free guidance by an unconditional pass; an LCM is guided by its timestep_cond instead.</summary>
    bool Guided => _cfgScale > 1 && _timestepCond is null;

    /// <summary>The regions as planned: each region's window in latent pixels (x, y, width, height).</summary>
    public IReadOnlyList<(int X, int Y, int Width, int Height)> RegionWindows => _windows.Skip(1).Select(w => (w.X, w.Y, w.Width, w.Height)).ToArray();

    /// <param name="cond">The global prompt's conditioning.</param>
    /// <param name="uncond">The negative prompt's.</param>
    /// <param name="timeIds">SDXL's time ids for the whole image (null for SD 1.5); regions get their crop's.</param>
    /// <param name="regions">Regional prompts with their conditioning pairs, boxes in image pixels; empty for none.</param>
    /// <param name="timestepCond">A latent consistency model's guidance embedding (<see cref="GuidanceEmbedding"/>), fed
    /// with every evaluation in place of an unconditional pass; null for other models.</param>
    public static NoisePrediction Create(TextConditioning cond, TextConditioning uncond, float[]? timeIds, int channels, int latentHeight, int latentWidth,
        double cfgScale, GuidanceBatching batching, IReadOnlyList<(PromptRegion Region, TextConditioning Cond, TextConditioning Uncond)> regions,
        float[]? timestepCond = null)
    {
        var windows = new List<Window> { new(0, 0, latentWidth, latentHeight, cond, uncond, timeIds, null) };
        foreach (var (region, regionCond, regionUncond) in regions)
        {
            int bx0 = region.X / 8, by0 = region.Y / 8;
            int bx1 = (region.X + region.Width + 7) / 8, by1 = (region.Y + region.Height + 7) / 8;
            var (x, width) = Span(bx0 - MarginLatents, bx1 + MarginLatents, latentWidth);
            var (y, height) = Span(by0 - MarginLatents, by1 + MarginLatents, latentHeight);
            var weights = new float[width * height];
            for (int wy = 0; wy < height; wy++)
                for (int wx = 0; wx < width; wx++)
                {
                    // Latent pixels outside the box by d get RegionWeight·(1 − d/(margin+1)); inside the box, RegionWeight.
                    int dx = Math.Max(Math.Max(bx0 - (x + wx), x + wx - (bx1 - 1)), 0), dy = Math.Max(Math.Max(by0 - (y + wy), y + wy - (by1 - 1)), 0);
                    int d = Math.Max(dx, dy);
                    weights[wy * width + wx] = d > MarginLatents ? 0 : RegionWeight * (1 - d / (MarginLatents + 1f));
                }
            // SDXL's crop conditioning: the window is a crop of the whole image at its top-left, of its own size.
            float[]? ids = timeIds is null ? null : [timeIds[0], timeIds[1], y * 8, x * 8, height * 8, width * 8];
            windows.Add(new Window(x, y, width, height, regionCond, regionUncond, ids, weights));
        }
        return new NoisePrediction(windows, channels, latentHeight, latentWidth, cfgScale, batching, timestepCond);
    }

    /// <summary>The start and length of a window covering [from, to) grown to whole tiles and kept inside [0, size).</summary>
    static (int Start, int Length) Span(int from, int to, int size)
    {
        from = Math.Max(from, 0);
        to = Math.Min(to, size);
        int length = Math.Min(size, (to - from + Tile - 1) / Tile * Tile);
        int start = Math.Clamp(from - (length - (to - from)) / 2, 0, size - length);
        return (start, length);
    }

    /// <summary>The guided noise prediction for <paramref name="modelInput"/> (the scaled latents, [1, C, h, w]).</summary>
    public float[] Predict(IUnetRunner unet, LoraSelection loras, float[] modelInput, float timestep, CancellationToken cancellationToken)
    {
        // Windows that can share a UNet call: same shape and prompt length.
        var groups = _windows.Select((w, i) => (Window: w, Index: i))
            .GroupBy(w => (w.Window.Width, w.Window.Height, w.Window.Cond.SequenceLength, w.Window.Uncond.SequenceLength))
            .Select(g => g.ToArray()).ToArray();
        var passes = new List<UnetInputs>();
        var crops = _windows.Select(w => Crop(modelInput, w)).ToArray();
        foreach (var group in groups)
        {
            var (width, height) = (group[0].Window.Width, group[0].Window.Height);
            UnetInputs Batch(Func<Window, TextConditioning[]> conditionings) => UnetBatch.Create(
                group.SelectMany(g => conditionings(g.Window).Select(c => (crops[g.Index], c, g.Window.TimeIds))).ToArray(), _channels, height, width, timestep, _timestepCond);
            // Pass order as plain CFG always had it: cond then uncond as two passes, or [uncond, cond] in one batch.
            if (!Guided) passes.Add(Batch(w => [w.Cond]));
            else if (_batching == GuidanceBatching.Combined) passes.Add(Batch(w => [w.Uncond, w.Cond]));
            else
            {
                passes.Add(Batch(w => [w.Cond]));
                passes.Add(Batch(w => [w.Uncond]));
            }
        }
        var outputs = unet.Run(passes, loras, cancellationToken);

        var predictions = new float[_windows.Count][];
        int pass = 0;
        foreach (var group in groups)
        {
            int size = _channels * group[0].Window.Width * group[0].Window.Height;
            for (int k = 0; k < group.Length; k++)
            {
                int index = group[k].Index;
                if (!Guided) predictions[index] = outputs[pass].AsSpan(k * size, size).ToArray();
                else if (_batching == GuidanceBatching.Combined)
                    predictions[index] = Guide(outputs[pass].AsSpan(2 * k * size, size), outputs[pass].AsSpan((2 * k + 1) * size, size), (float)_cfgScale);
                else predictions[index] = Guide(outputs[pass + 1].AsSpan(k * size, size), outputs[pass].AsSpan(k * size, size), (float)_cfgScale);
            }
            pass += Guided && _batching != GuidanceBatching.Combined ? 2 : 1;
        }
        return _windows.Count == 1 ? predictions[0] : Blend(predictions);
    }

    /// <summary>uncond + s·(cond − uncond).</summary>
    static float[] Guide(ReadOnlySpan<float> uncond, ReadOnlySpan<float> cond, float scale)
    {
        var result = new float[cond.Length];
        for (int i = 0; i < result.Length; i++) result[i] = uncond[i] + scale * (cond[i] - uncond[i]);
        return result;
    }

    float[] Crop(float[] latents, Window w)
    {
        if (w.Width == _lw && w.Height == _lh) return latents;
        var crop = new float[_channels * w.Width * w.Height];
        for (int c = 0; c < _channels; c++)
            for (int y = 0; y < w.Height; y++)
                latents.AsSpan((c * _lh + w.Y + y) * _lw + w.X, w.Width).CopyTo(crop.AsSpan((c * w.Height + y) * w.Width, w.Width));
        return crop;
    }

    /// <summary>Σ weight·prediction / Σ weight per latent pixel; the whole latent's prediction weighs 1 everywhere.</summary>
    float[] Blend(float[][] predictions)
    {
        var sum = (float[])predictions[0].Clone();
        var weight = new float[_lh * _lw];
        Array.Fill(weight, 1f);
        for (int i = 1; i < _windows.Count; i++)
        {
            var w = _windows[i];
            for (int y = 0; y < w.Height; y++)
                for (int x = 0; x < w.Width; x++)
                {
                    float m = w.Weights![y * w.Width + x];
                    if (m == 0) continue;
                    int pixel = (w.Y + y) * _lw + w.X + x;
                    weight[pixel] += m;
                    for (int c = 0; c < _channels; c++)
                        sum[c * _lh * _lw + pixel] += m * predictions[i][(c * w.Height + y) * w.Width + x];
                }
        }
        for (int c = 0; c < _channels; c++)
            for (int p = 0; p < weight.Length; p++) sum[c * weight.Length + p] /= weight[p];
        return sum;
    }
}
