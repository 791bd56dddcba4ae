namespace NanoBanana;

/// <summary>The timesteps and noise levels a render would step through (Get-SchedulerTimestep), computed by
/// the engine's own scheduler, to compare with diffusers' <c>scheduler.timesteps</c> and <c>scheduler.sigmas</c>.</summary>
public sealed class SchedulerSchedule
{
    internal SchedulerSchedule(string scheduler, int steps, float[] timesteps, float[] sigmas, float initNoiseSigma)
    {
        Scheduler = scheduler;
        Steps = steps;
        Timesteps = timesteps;
        Sigmas = sigmas;
        InitNoiseSigma = initNoiseSigma;
    }

    /// <summary>The sampler as A1111 names it in PNG metadata, e.g. "Euler a".</summary>
    public string Scheduler { get; }

    public int Steps { get; }

    /// <summary>The UNet timestep of each step.</summary>
    public float[] Timesteps { get; }

    /// <summary>σ entering each step, then σ after the last (Steps + 1 values).</summary>
    public float[] Sigmas { get; }

    /// <summary>What the unit-variance starting noise is multiplied by.</summary>
    public float InitNoiseSigma { get; }

    public override string ToString() => $"{Scheduler}, {Steps} steps";
}
