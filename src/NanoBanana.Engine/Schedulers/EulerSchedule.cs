using NanoBanana.Models;

namespace NanoBanana.Schedulers;

/// <summary>
/// The timesteps and sigmas that Euler and Euler Ancestral share (diffusers' <c>set_timesteps</c> of
/// <c>EulerDiscreteScheduler</c> / <c>EulerAncestralDiscreteScheduler</c>): spaced timesteps as float32,
/// σ interpolated from the training sigmas at those timesteps, optionally re-spaced à la Karras,
/// then a final σ (0, or σ_min for <c>final_sigmas_type = "sigma_min"</c>).
/// </summary>
internal sealed class EulerSchedule
{
    public required float[] Timesteps { get; init; }
    public required float[] Sigmas { get; init; }
    public required float InitNoiseSigma { get; init; }
    public required PredictionType Prediction { get; init; }

    /// <param name="allowKarras">Euler Ancestral ignores <c>use_karras_sigmas</c> and <c>final_sigmas_type</c> in diffusers.</param>
    public static EulerSchedule Create(SchedulerConfig config, int steps, bool allowKarras)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), "At least one step is needed.");
        string scheduler = allowKarras ? "EulerDiscreteScheduler" : "EulerAncestralDiscreteScheduler";
        config.ThrowIfUnsupported(scheduler);
        if ((config.InterpolationType ?? "linear") != "linear")
            throw new NotSupportedException($"{scheduler}: interpolation_type '{config.InterpolationType}' is not supported; use 'linear'.");

        var schedule = NoiseSchedule.From(config, 0.0001, 0.02, "linear");
        int trainSteps = schedule.NumTrainTimesteps;
        string spacing = config.TimestepSpacing ?? "linspace";
        if (steps > trainSteps) throw new ArgumentOutOfRangeException(nameof(steps), $"At most {trainSteps} steps.");

        // diffusers holds these timesteps as float32 before interpolating sigmas at them.
        float[] timesteps = TimestepSpacing.For(spacing, trainSteps, steps, config.StepsOffset ?? 0).Select(t => (float)t).ToArray();
        double[] sigmas = timesteps.Select(t => schedule.InterpolateSigma(t)).ToArray();

        if (allowKarras && config.UseKarrasSigmas == true)
        {
            sigmas = NoiseSchedule.KarrasSigmas(sigmas[^1], sigmas[0], steps);
            timesteps = sigmas.Select(s => (float)schedule.SigmaToTimestep(s)).ToArray();
        }

        float last = (allowKarras ? config.FinalSigmasType ?? "zero" : "zero") switch
        {
            "zero" => 0f,
            "sigma_min" => schedule.SigmaAt(0),
            var other => throw new NotSupportedException($"{scheduler}: final_sigmas_type '{other}' is not supported; use 'zero' or 'sigma_min'."),
        };
        float[] allSigmas = [.. sigmas.Select(s => (float)s), last];

        // "leading" never starts at pure noise, so the initial latents carry the extra unit variance.
        float maxSigma = allSigmas.Max();
        float init = spacing is "linspace" or "trailing" ? maxSigma : MathF.Sqrt(maxSigma * maxSigma + 1);

        return new EulerSchedule
        {
            Timesteps = timesteps,
            Sigmas = allSigmas,
            InitNoiseSigma = init,
            Prediction = PredictionTypes.Parse(config.PredictionType),
        };
    }

    /// <summary>sample / √(σ²+1): the variance-preserving input the UNet was trained on.</summary>
    public float[] ScaleModelInput(ReadOnlySpan<float> sample, int stepIndex)
    {
        float sigma = Sigmas[CheckStep(stepIndex)];
        float scale = MathF.Sqrt(sigma * sigma + 1);
        var result = new float[sample.Length];
        for (int i = 0; i < sample.Length; i++) result[i] = sample[i] / scale;
        return result;
    }

    /// <summary>diffusers' Euler <c>add_noise</c>: x + ε·σ at the step's σ (not √(σ²+1): the init-noise scaling of
    /// "leading" spacing is text-to-image's alone).</summary>
    public float[] AddNoise(ReadOnlySpan<float> original, ReadOnlySpan<float> noise, int stepIndex)
    {
        return ForwardNoise.Blend(original, 1f, noise, Sigmas[CheckStep(stepIndex)]);
    }

    /// <summary>x₀ as predicted from the model output at noise level σ (Karras' "denoised").</summary>
    public float PredictOriginal(float modelOutput, float sample, float sigma) => Prediction switch
    {
        PredictionType.Epsilon => sample - sigma * modelOutput,
        PredictionType.VPrediction => modelOutput * (-sigma / MathF.Sqrt(sigma * sigma + 1)) + sample / (sigma * sigma + 1),
        _ => modelOutput,
    };

    public int CheckStep(int stepIndex) =>
        (uint)stepIndex < (uint)Timesteps.Length ? stepIndex
        : throw new ArgumentOutOfRangeException(nameof(stepIndex), $"Step {stepIndex} is outside 0..{Timesteps.Length - 1}.");

    public static void CheckLengths(ReadOnlySpan<float> modelOutput, ReadOnlySpan<float> sample)
    {
        if (modelOutput.Length != sample.Length)
            throw new ArgumentException($"Model output has {modelOutput.Length} values but the sample has {sample.Length}.", nameof(modelOutput));
    }
}
