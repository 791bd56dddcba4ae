namespace NanoBanana.Diffusion;

/// <summary>
/// Evaluates the UNet's noise prediction. The pipeline only sees this interface, so how the UNet is held
/// in memory — one whole session or segments loaded on demand (<see cref="SegmentedUnetRunner"/>) — is the
/// runner's business.
/// </summary>
public interface IUnetRunner
{
    /// <summary>The prediction (same shape as <see cref="UnetInputs.Sample"/>), fp32.</summary>
    float[] Run(UnetInputs inputs, CancellationToken cancellationToken);

    /// <summary>UNet evaluations so far (one per batch, not per image).</summary>
    int RunCount { get; }
}
