using NanoBanana.Runtime;

namespace NanoBanana.Imaging.Upscaling;

/// <summary>How to upscale: the model, the final scale, the tile size and the device.</summary>
public sealed record UpscaleOptions
{
    public const string DefaultModel = "realesrgan-x4fast";

    public string Model { get; init; } = DefaultModel;

    /// <summary>Final scale: the model's own (4 for Real-ESRGAN), or less, reached by a high-quality downscale.</summary>
    public int Scale { get; init; } = 2;

    /// <summary>Input pixels per tile side, without context; memory grows with (TileSize + 2·radius)².</summary>
    public int TileSize { get; init; } = 256;

    /// <summary>The CPU by default, so the GPU stays free for diffusion.</summary>
    public ExecutionDevice Device { get; init; } = ExecutionDevice.Cpu;
}
