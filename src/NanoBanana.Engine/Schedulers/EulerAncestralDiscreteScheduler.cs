using NanoBanana.Models;

namespace NanoBanana.Schedulers;

/// <summary>
/// Euler Ancestral (diffusers <c>EulerAncestralDiscreteScheduler</c>, A1111 "Euler a"): an Euler step down
/// to σ_down, then fresh noise of scale σ_up, with σ_up² + σ_down² = σ_next² and
/// σ_up = √(σ_next²(σ² − σ_next²)/σ²). Draws <c>randn</c> of the sample's size on every step —
/// including the last, where σ_up = 0 — exactly as diffusers does, so the generator stream matches.
/// </summary>
public sealed class EulerAncestralDiscreteScheduler : IDiffusionScheduler
{
    readonly EulerSchedule _schedule;

    public EulerAncestralDiscreteScheduler(SchedulerConfig config, int steps)
    {
        ArgumentNullException.ThrowIfNull(config);
        _schedule = EulerSchedule.Create(config, steps, allowKarras: false);
        if (_schedule.Prediction == PredictionType.Sample)
            throw new NotSupportedException("EulerAncestralDiscreteScheduler: prediction_type 'sample' is not supported (nor is it in diffusers).");
    }

    public string DisplayName => "Euler a";
    public int StepCount => _schedule.Timesteps.Length;
    public IReadOnlyList<float> Timesteps => _schedule.Timesteps;
    public IReadOnlyList<float> Sigmas => _schedule.Sigmas;
    public float InitNoiseSigma => _schedule.InitNoiseSigma;

    public float[] ScaleModelInput(ReadOnlySpan<float> sample, int stepIndex) => _schedule.ScaleModelInput(sample, stepIndex);

    public float[] AddNoise(ReadOnlySpan<float> original, ReadOnlySpan<float> noise, int stepIndex) => _schedule.AddNoise(original, noise, stepIndex);

    public float[] Step(ReadOnlySpan<float> modelOutput, int stepIndex, ReadOnlySpan<float> sample, TorchRandom? random = null)
    {
        EulerSchedule.CheckLengths(modelOutput, sample);
        if (random is null) throw new ArgumentNullException(nameof(random), "Euler a adds fresh noise every step; pass the render's TorchRandom.");
        float sigma = _schedule.Sigmas[_schedule.CheckStep(stepIndex)];
        float sigmaTo = _schedule.Sigmas[stepIndex + 1];
        float sigmaUp = MathF.Sqrt(sigmaTo * sigmaTo * (sigma * sigma - sigmaTo * sigmaTo) / (sigma * sigma));
        // Clamped: rounding can push σ_next² − σ_up² a hair below zero.
        float sigmaDown = MathF.Sqrt(MathF.Max(0f, sigmaTo * sigmaTo - sigmaUp * sigmaUp));
        float dt = sigmaDown - sigma;

        float[] noise = random.Randn([sample.Length]);
        var prev = new float[sample.Length];
        for (int i = 0; i < prev.Length; i++)
        {
            float denoised = _schedule.PredictOriginal(modelOutput[i], sample[i], sigma);
            float derivative = (sample[i] - denoised) / sigma;
            prev[i] = sample[i] + derivative * dt + noise[i] * sigmaUp;
        }
        return prev;
    }
}
