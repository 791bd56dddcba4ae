using NanoBanana.Models;

namespace NanoBanana.Schedulers;

/// <summary>
/// Euler's method on the probability-flow ODE in σ (diffusers <c>EulerDiscreteScheduler</c>, Karras et al.
/// 2022 Algorithm 2 without churn): x ← x + (x − x̂₀)/σ · (σ_next − σ). Deterministic.
/// A1111 "Euler"; with <c>use_karras_sigmas</c> the σ are Karras-spaced.
/// </summary>
public sealed class EulerDiscreteScheduler : IDiffusionScheduler
{
    readonly EulerSchedule _schedule;

    public EulerDiscreteScheduler(SchedulerConfig config, int steps)
    {
        ArgumentNullException.ThrowIfNull(config);
        _schedule = EulerSchedule.Create(config, steps, allowKarras: true);
        DisplayName = config.UseKarrasSigmas == true ? "Euler Karras" : "Euler";
    }

    public string DisplayName { get; }
    public int StepCount => _schedule.Timesteps.Length;
    public IReadOnlyList<float> Timesteps => _schedule.Timesteps;
    public IReadOnlyList<float> Sigmas => _schedule.Sigmas;
    public float InitNoiseSigma => _schedule.InitNoiseSigma;

    public float[] ScaleModelInput(ReadOnlySpan<float> sample, int stepIndex) => _schedule.ScaleModelInput(sample, stepIndex);

    public float[] AddNoise(ReadOnlySpan<float> original, ReadOnlySpan<float> noise, int stepIndex) => _schedule.AddNoise(original, noise, stepIndex);

    public float[] Step(ReadOnlySpan<float> modelOutput, int stepIndex, ReadOnlySpan<float> sample, TorchRandom? random = null)
    {
        EulerSchedule.CheckLengths(modelOutput, sample);
        float sigma = _schedule.Sigmas[_schedule.CheckStep(stepIndex)];
        float dt = _schedule.Sigmas[stepIndex + 1] - sigma;
        var prev = new float[sample.Length];
        for (int i = 0; i < prev.Length; i++)
        {
            float denoised = _schedule.PredictOriginal(modelOutput[i], sample[i], sigma);
            float derivative = (sample[i] - denoised) / sigma;
            prev[i] = sample[i] + derivative * dt;
        }
        return prev;
    }
}
