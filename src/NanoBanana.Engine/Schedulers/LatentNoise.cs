namespace NanoBanana.Schedulers;

/// <summary>
/// The starting latent noise for a seed — the single implementation behind both the render pipeline
/// and <c>Get-RenderNoise</c>, so they can never disagree.
/// </summary>
public static class LatentNoise
{
    /// <summary>
    /// <c>torch.randn((batch, channels, latentHeight, latentWidth), generator=torch.Generator("cpu").manual_seed(seed))</c>,
    /// which is what diffusers' <c>prepare_latents</c> draws with one CPU generator: the whole batch in one call,
    /// so image 0 of a batch equals the batch-of-one image. The values are not yet scaled by the scheduler's
    /// <see cref="IDiffusionScheduler.InitNoiseSigma"/>.
    /// </summary>
    public static float[] Create(long seed, int batch, int channels, int latentHeight, int latentWidth) =>
        Create(new TorchRandom(seed), batch, channels, latentHeight, latentWidth);

    /// <summary>As above from an existing generator; keep using that generator for ancestral step noise
    /// to reproduce diffusers' stream.</summary>
    public static float[] Create(TorchRandom random, int batch, int channels, int latentHeight, int latentWidth)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (batch <= 0 || channels <= 0 || latentHeight <= 0 || latentWidth <= 0)
            throw new ArgumentOutOfRangeException(nameof(batch), "Batch, channels and latent size must be positive.");
        return random.Randn([batch, channels, latentHeight, latentWidth]);
    }
}
