using NanoBanana.Lora;

namespace NanoBanana.Unet;

/// <summary>
/// Evaluates the UNet's noise prediction. The pipeline only sees this interface, so how the UNet is held
/// in memory — one whole session or segments loaded on demand (<see cref="SegmentedUnetRunner"/>) — is the
/// runner's business.
/// </summary>
public interface IUnetRunner
{
    /// <summary>
    /// One prediction per pass (each the shape of its <see cref="UnetInputs.Sample"/>, fp32). The passes of a
    /// step (CFG's cond and uncond) come together so a segmented runner loads each segment once for all of them.
    /// <paramref name="loras"/> are the render's adapters and weights (<see cref="LoraSelection.None"/> for the base UNet).
    /// </summary>
    float[][] Run(IReadOnlyList<UnetInputs> passes, LoraSelection loras, CancellationToken cancellationToken);

    /// <summary>UNet passes so far (one per batch, not per image).</summary>
    int RunCount { get; }
}

public static class UnetRunnerExtensions
{
    /// <summary>Passes on the base UNet.</summary>
    public static float[][] Run(this IUnetRunner runner, IReadOnlyList<UnetInputs> passes, CancellationToken cancellationToken) =>
        runner.Run(passes, LoraSelection.None, cancellationToken);

    /// <summary>A single pass.</summary>
    public static float[] Run(this IUnetRunner runner, UnetInputs inputs, LoraSelection loras, CancellationToken cancellationToken) =>
        runner.Run([inputs], loras, cancellationToken)[0];

    /// <summary>A single pass on the base UNet.</summary>
    public static float[] Run(this IUnetRunner runner, UnetInputs inputs, CancellationToken cancellationToken) =>
        runner.Run([inputs], LoraSelection.None, cancellationToken)[0];
}
