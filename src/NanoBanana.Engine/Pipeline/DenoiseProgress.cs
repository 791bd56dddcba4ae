namespace NanoBanana.Pipeline;

/// <summary>Reported after each denoising step (1-based <see cref="Step"/> of <see cref="TotalSteps"/>).</summary>
public sealed record DenoiseProgress(int Step, int TotalSteps, TimeSpan Elapsed, TimeSpan EstimatedRemaining);
