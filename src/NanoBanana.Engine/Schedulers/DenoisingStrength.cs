namespace NanoBanana.Schedulers;

/// <summary>
/// Image-to-image's strength: how far into the noise the start image is pushed before denoising. diffusers'
/// <c>get_timesteps</c> (StableDiffusion[XL]Img2ImgPipeline, 0.26.3): of n steps, the last ⌊n·strength⌋ run, so the loop
/// starts at step n − ⌊n·strength⌋ of the full schedule (every scheduler here has order 1) and the image is noised to
/// that step's level with the scheduler's <see cref="IDiffusionScheduler.AddNoise"/>.
/// </summary>
public static class DenoisingStrength
{
    /// <summary>The first step that runs: 0 at strength 1, <paramref name="steps"/> (none run) below 1/steps.</summary>
    public static int StartStep(int steps, double strength)
    {
        if (!(strength >= 0 && strength <= 1))
            throw new ArgumentOutOfRangeException(nameof(strength), strength, $"Strength is {strength}; use 0 to 1.");
        // int(num_inference_steps * strength) in Python: the double product, truncated.
        int kept = Math.Min((int)(steps * strength), steps);
        return Math.Max(steps - kept, 0);
    }
}
