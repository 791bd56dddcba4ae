using NanoBanana.Lora;
using NanoBanana.Models;
using NanoBanana.Unet;

namespace NanoBanana.Pipeline;

/// <summary>
/// One step's noise prediction with classifier-free guidance, over the whole latent and, with regional prompts, over
/// regions — MultiDiffusion-style (Bar-Tal et al., 2023). The whole latent is predicted under the global prompt and
/// under the negative prompt; each region's window — its box plus <see cref="MarginLatents"/> of context, grown to the
/// UNet's <see cref="Tile"/> — under the region's own prompt only. The conditional predictions are averaged per latent
/// pixel with weights: 1 for the whole latent, <see cref="RegionWeight"/> for a region inside its box, falling linearly
/// to 0 across the margin (feathered, so no seam); guidance is then uncond + s·(averaged cond − uncond) with the
/// whole latent's unconditional prediction. That is each region guided against the same negative prediction, cropped
/// to its window, so a region costs one pass over its window's area rather than two. The negative prompt is the same
/// for every region, so only the crop differs: ComfyUI's area conditioning instead runs the negative once more per
/// area (comfy/samplers.py pairs every positive area with a negative of the same area), which bench/RESULTS.md measures
/// against this choice. Outside every region's window the prediction is exactly the global one. Regions of one window
/// shape and prompt length share one batched UNet call, and every call of a step goes to the runner together, so a
/// streamed segment loads once per step for all of them. Without regions this is plain classifier-free guidance, bit
/// for bit.
/// </summary>
public sealed class NoisePrediction
{
    /// <summary>Context around each region's box, in latent pixels (32 image pixels).</summary>
    public const int MarginLatents = 4;

    /// <summary>A region's weight inside its box against the whole latent's 1: the part's own prompt decides its pixels
    /// (80 %) while the global prompt keeps style and lighting shared across regions.</summary>
    public const float RegionWeight = 4f;

    /// <summary>Windows are whole multiples of the UNet's downsampling factor, the smallest sizes it accepts: SDXL's UNet
    /// halves the latent twice (4 latents, 32 pixels), SD 1.x/2.x's three times (8 latents, 64 pixels).</summary>
    public static int Tile(DiffusionArchitecture architecture) => architecture == DiffusionArchitecture.StableDiffusionXL ? 4 : 8;

    /// <summary>A region's latent window, its prompt's conditioning, SDXL time ids and blend weights.</summary>
    sealed record Window(int X, int Y, int Width, int Height, TextConditioning Cond, float[]? TimeIds, float[] Weights);

    readonly TextConditioning _cond, _uncond;
    readonly float[]? _timeIds;
    readonly Window[][] _groups;
    readonly int _channels, _lh, _lw;
    readonly double _cfgScale;
    readonly GuidanceBatching _batching;
    readonly float[]? _timestepCond;

    NoisePrediction(TextConditioning cond, TextConditioning uncond, float[]? timeIds, IReadOnlyList<Window> regions, int channels, int lh, int lw,
        double cfgScale, GuidanceBatching batching, float[]? timestepCond)
    {
        _cond = cond;
        _uncond = uncond;
        _timeIds = timeIds;
        // Regions that can share a UNet call: same window shape and prompt length.
        _groups = regions.GroupBy(w => (w.Width, w.Height, w.Cond.SequenceLength)).Select(g => g.ToArray()).ToArray();
        RegionWindows = regions.Select(w => (w.X, w.Y, w.Width, w.Height)).ToArray();
        _channels = channels;
        _lh = lh;
        _lw = lw;
        _cfgScale = cfgScale;
        _batching = batching;
        _timestepCond = timestepCond;
    }

    /// <summary>Classifier-free guidance by an unconditional pass; an LCM is guided by its timestep_cond instead.</summary>
    bool Guided => _cfgScale > 1 && _timestepCond is null;

    /// <summary>The regions as planned: each region's window in latent pixels (x, y, width, height).</summary>
    public IReadOnlyList<(int X, int Y, int Width, int Height)> RegionWindows { get; }

    /// <param name="architecture">Decides the window <see cref="Tile"/>.</param>
    /// <param name="cond">The global prompt's conditioning.</param>
    /// <param name="uncond">The negative prompt's.</param>
    /// <param name="timeIds">SDXL's time ids for the whole image (null for SD 1.5); regions get their crop's.</param>
    /// <param name="regions">Regional prompts with their conditioning, boxes in image pixels; empty for none.</param>
    /// <param name="timestepCond">A latent consistency model's guidance embedding (<see cref="GuidanceEmbedding"/>), fed
    /// with every evaluation in place of an unconditional pass; null for other models.</param>
    public static NoisePrediction Create(DiffusionArchitecture architecture, TextConditioning cond, TextConditioning uncond, float[]? timeIds,
        int channels, int latentHeight, int latentWidth, double cfgScale, GuidanceBatching batching,
        IReadOnlyList<(PromptRegion Region, TextConditioning Cond)> regions, float[]? timestepCond = null)
    {
        var windows = new List<Window>();
        int tile = Tile(architecture);
        foreach (var (region, regionCond) in regions)
        {
            int bx0 = region.X / 8, by0 = region.Y / 8;
            int bx1 = (region.X + region.Width + 7) / 8, by1 = (region.Y + region.Height + 7) / 8;
            var (x, width) = Span(bx0 - MarginLatents, bx1 + MarginLatents, latentWidth, tile);
            var (y, height) = Span(by0 - MarginLatents, by1 + MarginLatents, latentHeight, tile);
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
            windows.Add(new Window(x, y, width, height, regionCond, ids, weights));
        }
        return new NoisePrediction(cond, uncond, timeIds, windows, channels, latentHeight, latentWidth, cfgScale, batching, timestepCond);
    }

    /// <summary>The start and length of a window covering [from, to) grown to whole tiles and kept inside [0, size).</summary>
    static (int Start, int Length) Span(int from, int to, int size, int tile)
    {
        from = Math.Max(from, 0);
        to = Math.Min(to, size);
        int length = Math.Min(size, (to - from + tile - 1) / tile * tile);
        int start = Math.Clamp(from - (length - (to - from)) / 2, 0, size - length);
        return (start, length);
    }

    /// <summary>The guided noise prediction for <paramref name="modelInput"/> (the scaled latents, [1, C, h, w]).</summary>
    public float[] Predict(IUnetRunner unet, LoraSelection loras, float[] modelInput, float timestep, CancellationToken cancellationToken)
    {
        UnetInputs Whole(params TextConditioning[] conditionings) =>
            UnetBatch.Create(conditionings.Select(c => (modelInput, c, _timeIds)).ToArray(), _channels, _lh, _lw, timestep, _timestepCond);
        // The whole latent's passes in plain CFG's order: cond then uncond as two passes, or [uncond, cond] in one batch.
        var passes = new List<UnetInputs>();
        if (!Guided) passes.Add(Whole(_cond));
        else if (_batching == GuidanceBatching.Combined) passes.Add(Whole(_uncond, _cond));
        else passes.AddRange([Whole(_cond), Whole(_uncond)]);
        int regionPasses = passes.Count;
        foreach (var group in _groups)
            passes.Add(UnetBatch.Create(group.Select(w => (Crop(modelInput, w), w.Cond, w.TimeIds)).ToArray(), _channels, group[0].Height, group[0].Width,
                timestep, _timestepCond));
        var outputs = unet.Run(passes, loras, cancellationToken);

        int size = _channels * _lh * _lw;
        var (cond, uncond) = !Guided ? (outputs[0], null)
            : _batching == GuidanceBatching.Combined ? (outputs[0][size..], outputs[0][..size])
            : (outputs[0], outputs[1]);
        if (_groups.Length > 0) cond = Blend(cond, outputs.AsSpan(regionPasses));
        return uncond is null ? cond : Guide(uncond, cond, (float)_cfgScale);
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
        var crop = new float[_channels * w.Width * w.Height];
        for (int c = 0; c < _channels; c++)
            for (int y = 0; y < w.Height; y++)
                latents.AsSpan((c * _lh + w.Y + y) * _lw + w.X, w.Width).CopyTo(crop.AsSpan((c * w.Height + y) * w.Width, w.Width));
        return crop;
    }

    /// <summary>Σ weight·cond / Σ weight per latent pixel over the whole latent's conditional prediction (weight 1
    /// everywhere) and the regions' (one batched output per group, in group order).</summary>
    float[] Blend(float[] whole, ReadOnlySpan<float[]> groupOutputs)
    {
        var sum = (float[])whole.Clone();
        var weight = new float[_lh * _lw];
        Array.Fill(weight, 1f);
        for (int g = 0; g < _groups.Length; g++)
            for (int k = 0; k < _groups[g].Length; k++)
            {
                var w = _groups[g][k];
                var prediction = groupOutputs[g].AsSpan(k * _channels * w.Width * w.Height);
                for (int y = 0; y < w.Height; y++)
                    for (int x = 0; x < w.Width; x++)
                    {
                        float m = w.Weights[y * w.Width + x];
                        if (m == 0) continue;
                        int pixel = (w.Y + y) * _lw + w.X + x;
                        weight[pixel] += m;
                        for (int c = 0; c < _channels; c++)
                            sum[c * _lh * _lw + pixel] += m * prediction[(c * w.Height + y) * w.Width + x];
                    }
            }
        for (int c = 0; c < _channels; c++)
            for (int p = 0; p < weight.Length; p++) sum[c * weight.Length + p] /= weight[p];
        return sum;
    }
}
