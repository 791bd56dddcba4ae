namespace NanoBanana.Runtime;

/// <summary>A render whose estimated peak exceeds the budget in the chosen mode, refused before it starts.</summary>
public sealed class RenderMemoryException(MemoryEstimate estimate, MemoryMode? modeThatFits)
    : InvalidOperationException(
        $"A {estimate.Width}x{estimate.Height} render (batch {estimate.BatchSize}) needs about {estimate.PeakBytes / 1048576.0:N0} MiB in {estimate.Mode} mode " +
        $"(estimate), more than the budget of {estimate.BudgetBytes / 1048576.0:N0} MiB (the machine's memory when the session sets none). " +
        (modeThatFits is MemoryMode fits
            ? $"Open the session with -MemoryMode {fits}, which fits."
            : "No memory mode fits: raise -MemoryBudgetMB or render smaller."))
{
    public MemoryEstimate Estimate { get; } = estimate;

    public MemoryMode? ModeThatFits { get; } = modeThatFits;
}
