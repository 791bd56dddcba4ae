using NanoBanana.Models;

namespace NanoBanana.Synthetic;

/// <summary>
/// The shape of a UNet2DConditionModel, in diffusers' own terms (<c>unet/config.json</c>). Down block i has
/// cross-attention when <see cref="TransformerLayers"/>[i] &gt; 0; the up blocks mirror the down blocks.
/// </summary>
public sealed record UnetConfig(
    int[] BlockOutChannels,
    int[] TransformerLayers,
    int[] HeadCounts,
    int LayersPerBlock,
    int CrossAttentionDim,
    bool UseLinearProjection,
    int NormGroups,
    int PooledDim,
    int AdditionTimeEmbedDim,
    int TimeCondProjDim = 0)
{
    public const int LatentChannels = 4;

    /// <summary>SDXL's added conditioning: six time ids (original size, crop, target size); the refiner's five
    /// (original size, crop, aesthetic score).</summary>
    public int TimeIdCount { get; init; } = 6;

    /// <summary>SDXL's "text_time" added embedding is present when the pooled text embedding has a width.</summary>
    public bool HasAddedCondition => PooledDim > 0;

    public int TimeEmbedDim => 4 * BlockOutChannels[0];

    /// <summary>An LCM's guidance embedding width (diffusers' time_cond_proj_dim); 0 = no <c>timestep_cond</c> input.</summary>
    public bool HasTimestepCond => TimeCondProjDim > 0;

    /// <summary><see cref="For(DiffusionArchitecture, SyntheticModelSize, int, int)"/>'s shape changed the way the options' variant changes the real model's UNet.</summary>
    public static UnetConfig For(SyntheticModelOptions options, int contextDim, int pooledDim)
    {
        var c = For(options.Architecture, options.Size, contextDim, pooledDim);
        bool xl = options.Architecture == DiffusionArchitecture.StableDiffusionXL;
        return options.Variant switch
        {
            SyntheticModelVariant.Standard => c,
            SyntheticModelVariant.StableDiffusion2 when !xl => c with { UseLinearProjection = true },
            SyntheticModelVariant.Turbo when xl => c,
            // LCM-LoRA-distilled UNets keep the base shape and add a 256-wide guidance embedding (scaled down here).
            SyntheticModelVariant.LatentConsistency => c with { TimeCondProjDim = options.Size == SyntheticModelSize.Full ? 256 : 16 },
            SyntheticModelVariant.Refiner when xl => c with { TimeIdCount = 5 },
            // SSD-1B/Vega drop transformer blocks: other per-level depths than the base's (and a deeper last level here,
            // so a shape the base never has is exercised).
            SyntheticModelVariant.Distilled when xl => c with { TransformerLayers = options.Size == SyntheticModelSize.Full ? [0, 2, 4] : [0, 2, 3] },
            _ => throw new ArgumentException($"The {options.Variant} variant exists only for {(xl ? "SD 1.x/2.x (SD15)" : "SDXL")} models, not {options.Architecture}; choose that architecture or another variant.", nameof(options)),
        };
    }

    /// <summary>Published: diffusers' SDXL base UNet has 2,567,463,684 parameters; SD 1.5's has 859,520,964.</summary>
    public const long SdxlParameters = 2_567_463_684, Sd15Parameters = 859_520_964;

    public static UnetConfig For(DiffusionArchitecture architecture, SyntheticModelSize size, int contextDim, int pooledDim) =>
        (architecture, size) switch
        {
            (DiffusionArchitecture.StableDiffusionXL, SyntheticModelSize.Full) =>
                new([320, 640, 1280], [0, 2, 10], [5, 10, 20], 2, contextDim, true, 32, pooledDim, 256),
            (DiffusionArchitecture.StableDiffusionXL, SyntheticModelSize.Small) =>
                new([64, 128, 256], [0, 1, 2], [2, 4, 8], 2, contextDim, true, 32, pooledDim, 32),
            (DiffusionArchitecture.StableDiffusionXL, _) =>
                new([32, 64, 64], [0, 1, 1], [2, 4, 4], 1, contextDim, true, 32, pooledDim, 8),
            // SD 1.5: attention_head_dim 8 means 8 heads, four levels, conv projections, no added embedding.
            (_, SyntheticModelSize.Full) =>
                new([320, 640, 1280, 1280], [1, 1, 1, 0], [8, 8, 8, 8], 2, contextDim, false, 32, 0, 0),
            (_, SyntheticModelSize.Small) =>
                new([64, 128, 256, 256], [1, 1, 1, 0], [4, 4, 4, 4], 2, contextDim, false, 32, 0, 0),
            _ => new([32, 64, 64, 64], [1, 1, 1, 0], [2, 2, 2, 2], 1, contextDim, false, 32, 0, 0),
        };
}
