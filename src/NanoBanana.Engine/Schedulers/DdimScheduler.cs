using NanoBanana.Models;

namespace NanoBanana.Schedulers;

/// <summary>
/// DDIM (Song et al. 2020; diffusers <c>DDIMScheduler</c>, A1111 "DDIM"): from the x₀ and ε implied by the
/// model output, x_prev = √ᾱ_prev·x₀ + √(1−ᾱ_prev−σ_η²)·ε (+ σ_η·z when η &gt; 0). The previous timestep is
/// always t − N/n, even for "trailing" spacing, as in diffusers.
/// </summary>
public sealed class DdimScheduler : IDiffusionScheduler
{
    readonly NoiseSchedule _schedule;
    readonly int[] _timesteps;
    readonly float[] _timestepValues;
    readonly float _finalAlphaCumprod;
    readonly PredictionType _prediction;
    readonly float? _clipRange;
    readonly double _eta;
    readonly float[] _sigmas;

    /// <param name="eta">η: 0 is deterministic DDIM (the pipeline default); 1 is DDPM-like ancestral noise.</param>
    public DdimScheduler(SchedulerConfig config, int steps, double eta = 0)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.ThrowIfUnsupported("DDIMScheduler");
        if (eta < 0) throw new ArgumentOutOfRangeException(nameof(eta), "η must be ≥ 0.");
        _schedule = NoiseSchedule.From(config, 0.0001, 0.02, "linear");
        int trainSteps = _schedule.NumTrainTimesteps;
        if (steps < 1 || steps > trainSteps) throw new ArgumentOutOfRangeException(nameof(steps), $"Steps must be 1..{trainSteps}.");

        _timesteps = TimestepSpacing.For(config.TimestepSpacing ?? "leading", trainSteps, steps, config.StepsOffset ?? 0)
            .Select(t => (int)Math.Round(t, MidpointRounding.ToEven)).ToArray();
        _timestepValues = _timesteps.Select(t => (float)t).ToArray();
        // set_alpha_to_one: the step after t = 0 lands on a clean image (ᾱ = 1) rather than ᾱ₀.
        _finalAlphaCumprod = config.SetAlphaToOne ?? true ? 1f : _schedule.AlphasCumprod[0];
        _prediction = PredictionTypes.Parse(config.PredictionType);
        _clipRange = config.ClipSample ?? true ? (float)(config.ClipSampleRange ?? 1.0) : null;
        _eta = eta;

        _sigmas = new float[steps + 1];
        for (int i = 0; i < steps; i++) _sigmas[i] = SigmaOf(AlphaAt(_timesteps[i]));
        _sigmas[steps] = SigmaOf(AlphaAt(_timesteps[^1] - trainSteps / steps));
    }

    public string DisplayName => "DDIM";
    public int StepCount => _timesteps.Length;
    public IReadOnlyList<float> Timesteps => _timestepValues;
    public IReadOnlyList<float> Sigmas => _sigmas;
    public float InitNoiseSigma => 1f;

    public float[] ScaleModelInput(ReadOnlySpan<float> sample, int stepIndex) => sample.ToArray();

    public float[] AddNoise(ReadOnlySpan<float> original, ReadOnlySpan<float> noise, int stepIndex) =>
        _schedule.AddNoise(original, noise, _timesteps, stepIndex);

    float AlphaAt(int t) => t >= 0 ? _schedule.AlphasCumprod[t] : _finalAlphaCumprod;

    static float SigmaOf(float alphaCumprod) => MathF.Sqrt((1f - alphaCumprod) / alphaCumprod);

    public float[] Step(ReadOnlySpan<float> modelOutput, int stepIndex, ReadOnlySpan<float> sample, TorchRandom? random = null)
    {
        EulerSchedule.CheckLengths(modelOutput, sample);
        if ((uint)stepIndex >= (uint)_timesteps.Length)
            throw new ArgumentOutOfRangeException(nameof(stepIndex), $"Step {stepIndex} is outside 0..{_timesteps.Length - 1}.");
        int t = _timesteps[stepIndex];
        int prevT = t - _schedule.NumTrainTimesteps / _timesteps.Length;
        double alpha = _schedule.AlphasCumprod[t], alphaPrev = AlphaAt(prevT);
        double beta = 1 - alpha, betaPrev = 1 - alphaPrev;

        // σ_η of the DDIM paper (eq. 16); zero for η = 0.
        double variance = betaPrev / beta * (1 - alpha / alphaPrev);
        double stdDev = _eta * Math.Sqrt(variance);
        float[]? noise = null;
        if (_eta > 0)
        {
            if (random is null) throw new ArgumentNullException(nameof(random), "DDIM with η > 0 adds noise; pass the render's TorchRandom.");
            noise = random.Randn([sample.Length]);
        }

        float sqrtAlpha = (float)Math.Sqrt(alpha), sqrtBeta = (float)Math.Sqrt(beta);
        float sqrtAlphaPrev = (float)Math.Sqrt(alphaPrev);
        float direction = (float)Math.Sqrt(Math.Max(0, 1 - alphaPrev - stdDev * stdDev));
        var prev = new float[sample.Length];
        for (int i = 0; i < prev.Length; i++)
        {
            float x = sample[i], m = modelOutput[i];
            (float x0, float eps) = _prediction switch
            {
                PredictionType.Epsilon => ((x - sqrtBeta * m) / sqrtAlpha, m),
                PredictionType.Sample => (m, (x - sqrtAlpha * m) / sqrtBeta),
                _ => (sqrtAlpha * x - sqrtBeta * m, sqrtAlpha * m + sqrtBeta * x),
            };
            // diffusers clips x₀ but keeps ε from the unclipped prediction (use_clipped_model_output = False).
            if (_clipRange is float range) x0 = Math.Clamp(x0, -range, range);
            prev[i] = sqrtAlphaPrev * x0 + direction * eps;
            if (noise is not null) prev[i] += (float)stdDev * noise[i];
        }
        return prev;
    }
}
