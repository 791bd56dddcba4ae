namespace NanoBanana.Runtime;

/// <summary>
/// The planner's estimate of a render's peak device memory in one mode (on the CPU: the process's resident
/// memory), with its parts. An estimate from the model's shapes, not a measurement. <see cref="UnetPhasePeakBytes"/> is
/// the denoising loop alone (resident UNet weights, its activations and the runtime). <see cref="Model"/> is the
/// model folder the estimate was made from, or the published shapes it assumed when no model was given;
/// <see cref="VaeTilePixels"/> the tile the VAE decodes in (null: one pass).
/// </summary>
public sealed record MemoryEstimate(
    MemoryMode Mode,
    int Width,
    int Height,
    int BatchSize,
    long WeightBytes,
    long UnetActivationBytes,
    long VaeActivationBytes,
    long RuntimeBytes,
    long PeakBytes,
    long UnetPhasePeakBytes,
    long? BudgetBytes,
    int SegmentCount,
    string Model,
    int? VaeTilePixels)
{
    public bool Fits => BudgetBytes is not long budget || PeakBytes <= budget;
}
