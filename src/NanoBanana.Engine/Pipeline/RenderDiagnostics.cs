using NanoBanana.Models;
using NanoBanana.Schedulers;

namespace NanoBanana.Pipeline;

/// <summary>
/// What the pipeline would use, computed by the pipeline's own code (Get-RenderNoise, Get-SchedulerTimestep).
/// </summary>
public static class RenderDiagnostics
{
    /// <summary>The unscaled starting latents [batch, channels, height/8, width/8] for a seed — identical to
    /// what <see cref="TextToImagePipeline.Render"/> draws before multiplying by the scheduler's init σ.</summary>
    public static float[] InitialNoise(long seed, int width, int height, int batch = 1, int channels = 4)
    {
        int[] shape = LatentShape(width, height, batch, channels);
        return LatentNoise.Create(seed, shape[0], shape[1], shape[2], shape[3]);
    }

    /// <summary>The shape of <see cref="InitialNoise"/>'s values: [batch, channels, height/8, width/8] (the VAE's factor 8).</summary>
    public static int[] LatentShape(int width, int height, int batch = 1, int channels = 4)
    {
        if (width < 8 || width % 8 != 0) throw new ArgumentException($"Width is {width}; it must be a positive multiple of 8.", nameof(width));
        if (height < 8 || height % 8 != 0) throw new ArgumentException($"Height is {height}; it must be a positive multiple of 8.", nameof(height));
        return [batch, channels, height / 8, width / 8];
    }

    /// <summary>The scheduler (with Timesteps, Sigmas, InitNoiseSigma, DisplayName) a render of
    /// <paramref name="steps"/> steps on the model folder would use; <paramref name="scheduler"/> null = the model's own.</summary>
    public static IDiffusionScheduler Schedule(string modelFolder, string? scheduler, int steps)
    {
        string path = Path.Combine(Path.GetFullPath(modelFolder), "scheduler", "scheduler_config.json");
        if (!File.Exists(path))
            throw new FileNotFoundException($"'{path}' is missing; pass a diffusers model folder (or use the SchedulerConfig overload).", path);
        return Schedule(SchedulerConfig.Load(path), scheduler, steps);
    }

    public static IDiffusionScheduler Schedule(SchedulerConfig config, string? scheduler, int steps) =>
        TextToImagePipeline.CreateScheduler(config, scheduler, steps);
}
