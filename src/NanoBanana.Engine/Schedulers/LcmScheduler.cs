using NanoBanana.Models;

namespace NanoBanana.Schedulers;

/// <summary>
/// Latent Consistency Model multistep sampling (Luo et al. 2023; diffusers <c>LCMScheduler</c>, A1111 "LCM").
/// Each step maps the sample straight to a denoised estimate with the consistency boundary condition
/// c_skip·x + c_out·x̂₀, then re-noises it to the next timestep with fresh noise (every step except
/// the last). Timesteps are evenly picked from the distillation's <c>original_inference_steps</c> grid.
/// </summary>
public sealed class LcmScheduler : IDiffusionScheduler
{
    const double SigmaData = 0.5;

    readonly NoiseSchedule _schedule;
    readonly int[] _timesteps;
    readonly float[] _timestepValues;
    readonly float _finalAlphaCumprod;
    readonly PredictionType _prediction;
    readonly float? _clipRange;
    readonly double _timestepScaling;
    readonly float[] _sigmas;

    public LcmScheduler(SchedulerConfig config, int steps)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.ThrowIfUnsupported("LCMScheduler");
        _schedule = NoiseSchedule.From(config, 0.00085, 0.012, "scaled_linear");
        int trainSteps = _schedule.NumTrainTimesteps;
        int original = config.OriginalInferenceSteps ?? 50;
        if (original < 1 || original > trainSteps)
            throw new NotSupportedException($"LCMScheduler: original_inference_steps {original} must be 1..{trainSteps}.");
        if (steps < 1 || steps > original)
            throw new ArgumentOutOfRangeException(nameof(steps), $"LCM supports 1..{original} steps (its original_inference_steps).");

        // The distillation grid k−1, 2k−1, …, N−1 with k = N // original, descending; then floor-spaced picks.
        int k = trainSteps / original;
        _timesteps = new int[steps];
        for (int i = 0; i < steps; i++)
        {
            int index = (int)Math.Floor(i * ((double)original / steps));
            _timesteps[i] = (original - index) * k - 1;
        }
        _timestepValues = _timesteps.Select(t => (float)t).ToArray();

        _finalAlphaCumprod = config.SetAlphaToOne ?? true ? 1f : _schedule.AlphasCumprod[0];
        _prediction = PredictionTypes.Parse(config.PredictionType);
        _clipRange = config.ClipSample ?? false ? (float)(config.ClipSampleRange ?? 1.0) : null;
        _timestepScaling = config.TimestepScaling ?? 10.0;

        _sigmas = new float[steps + 1];
        for (int i = 0; i < steps; i++) _sigmas[i] = MathF.Sqrt((1f - _schedule.AlphasCumprod[_timesteps[i]]) / _schedule.AlphasCumprod[_timesteps[i]]);
    }

    public string DisplayName => "LCM";
    public int StepCount => _timesteps.Length;
    public IReadOnlyList<float> Timesteps => _timestepValues;
    public IReadOnlyList<float> Sigmas => _sigmas;
    public float InitNoiseSigma => 1f;

    public float[] ScaleModelInput(ReadOnlySpan<float> sample, int stepIndex) => sample.ToArray();

    public float[] AddNoise(ReadOnlySpan<float> original, ReadOnlySpan<float> noise, int stepIndex) =>
        _schedule.AddNoise(original, noise, _timesteps, stepIndex);

    public float[] Step(ReadOnlySpan<float> modelOutput, int stepIndex, ReadOnlySpan<float> sample, TorchRandom? random = null)
    {
        EulerSchedule.CheckLengths(modelOutput, sample);
        if ((uint)stepIndex >= (uint)_timesteps.Length)
            throw new ArgumentOutOfRangeException(nameof(stepIndex), $"Step {stepIndex} is outside 0..{_timesteps.Length - 1}.");
        bool isLast = stepIndex == _timesteps.Length - 1;
        int t = _timesteps[stepIndex];
        int prevT = isLast ? t : _timesteps[stepIndex + 1];
        double alpha = _schedule.AlphasCumprod[t];
        double alphaPrev = prevT >= 0 ? _schedule.AlphasCumprod[prevT] : _finalAlphaCumprod;

        // Boundary condition: c_skip → 1, c_out → 0 as t → 0, so the model is the identity on clean data.
        double scaled = t * _timestepScaling;
        float cSkip = (float)(SigmaData * SigmaData / (scaled * scaled + SigmaData * SigmaData));
        float cOut = (float)(scaled / Math.Sqrt(scaled * scaled + SigmaData * SigmaData));
        float sqrtAlpha = (float)Math.Sqrt(alpha), sqrtBeta = (float)Math.Sqrt(1 - alpha);

        float[]? noise = null;
        if (!isLast)
        {
            if (random is null) throw new ArgumentNullException(nameof(random), "LCM re-noises between steps; pass the render's TorchRandom.");
            noise = random.Randn([sample.Length]);
        }
        float sqrtAlphaPrev = (float)Math.Sqrt(alphaPrev), sqrtBetaPrev = (float)Math.Sqrt(1 - alphaPrev);

        var prev = new float[sample.Length];
        for (int i = 0; i < prev.Length; i++)
        {
            float x = sample[i], m = modelOutput[i];
            float x0 = _prediction switch
            {
                PredictionType.Epsilon => (x - sqrtBeta * m) / sqrtAlpha,
                PredictionType.Sample => m,
                _ => sqrtAlpha * x - sqrtBeta * m,
            };
            if (_clipRange is float range) x0 = Math.Clamp(x0, -range, range);
            float denoised = cOut * x0 + cSkip * x;
            prev[i] = noise is null ? denoised : sqrtAlphaPrev * denoised + sqrtBetaPrev * noise[i];
        }
        return prev;
    }
}
