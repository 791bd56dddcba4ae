
namespace NanoBanana;

/// <summary>The memory planner's estimate for one render in one memory mode. An estimate computed from the
/// model's shapes, not a measurement.</summary>
public sealed class RenderMemoryEstimate
{
    internal RenderMemoryEstimate(string memoryMode, int width, int height, int batchSize, long weightBytes, long unetActivationBytes,
        long vaeActivationBytes, long estimatedPeakBytes, long? budgetBytes, bool fits, int segmentCount, string model, int? vaeTilePixels)
    {
        Model = model; VaeTilePixels = vaeTilePixels;
        MemoryMode = memoryMode; Width = width; Height = height; BatchSize = batchSize; WeightBytes = weightBytes;
        UnetActivationBytes = unetActivationBytes; VaeActivationBytes = vaeActivationBytes; EstimatedPeakBytes = estimatedPeakBytes;
        BudgetBytes = budgetBytes; Fits = fits; SegmentCount = segmentCount;
    }

    public string MemoryMode { get; }

    public int Width { get; }

    public int Height { get; }

    public int BatchSize { get; }

    /// <summary>Weights resident at the peak.</summary>
    public long WeightBytes { get; }

    public long UnetActivationBytes { get; }

    public long VaeActivationBytes { get; }

    public long EstimatedPeakBytes { get; }

    public double EstimatedPeakMB => EstimatedPeakBytes / 1048576.0;

    public long? BudgetBytes { get; }

    /// <summary>Whether the estimate is within the budget (true without a budget).</summary>
    public bool Fits { get; }

    public int SegmentCount { get; }

    /// <summary>The tile in pixels the VAE decodes in: Low always tiles, Full and Balanced when their budget cannot hold
    /// a one-pass decode; null decodes in one pass.</summary>
    public int? VaeTilePixels { get; }

    /// <summary>The model folder the estimate was computed from, or the published shapes it assumed when none was given.</summary>
    public string Model { get; }
}
