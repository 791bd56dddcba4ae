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
    int AdditionTimeEmbedDim)
{
    public const int LatentChannels = 4;

    /// <summary>SDXL's added conditioning: six time ids (original size, crop, target size).</summary>
    public const int TimeIdCount = 6;

    /// <summary>SDXL's "text_time" added embedding is present when the pooled text embedding has a width.</summary>
    public bool HasAddedCondition => PooledDim > 0;

    public int TimeEmbedDim => 4 * BlockOutChannels[0];

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
