using NanoBanana.Models;

namespace NanoBanana.Schedulers;

/// <summary>
/// DPM-Solver++(2M) (Lu et al. 2022; diffusers <c>DPMSolverMultistepScheduler</c> with
/// <c>algorithm_type = "dpmsolver++"</c>, <c>solver_order = 2</c>, <c>solver_type = "midpoint"</c>):
/// a second-order multistep solver in log-SNR λ = log(α/σ) on x₀ predictions. A1111 "DPM++ 2M",
/// or "DPM++ 2M Karras" with <c>use_karras_sigmas</c>.
/// </summary>
/// <remarks>
/// Like diffusers it falls back to first order on the first step, on the last step when fewer than
/// 15 steps are used or the final σ is 0 (<c>lower_order_final</c>), and is deterministic. It remembers
/// the previous x₀ prediction, so <see cref="Step"/> must be called for consecutive steps from the first one taken —
/// 0, or image-to-image's start step, which (as in diffusers, whose step index starts at the first timestep given)
/// is first order again.
/// </remarks>
public sealed class DpmSolverMultistepScheduler : IDiffusionScheduler
{
    readonly int[] _timesteps;
    readonly float[] _timestepValues;
    readonly float[] _sigmas;
    readonly PredictionType _prediction;
    readonly bool _lowerOrderFinal;
    readonly bool _eulerAtFinal;
    readonly bool _finalSigmaIsZero;
    float[]? _previousDenoised;
    int? _nextStep;

    public DpmSolverMultistepScheduler(SchedulerConfig config, int steps)
    {
        ArgumentNullException.ThrowIfNull(config);
        const string name = "DPMSolverMultistepScheduler";
        config.ThrowIfUnsupported(name);
        if ((config.AlgorithmType ?? "dpmsolver++") != "dpmsolver++")
            throw new NotSupportedException($"{name}: algorithm_type '{config.AlgorithmType}' is not supported; use 'dpmsolver++'.");
        if ((config.SolverOrder ?? 2) != 2)
            throw new NotSupportedException($"{name}: solver_order {config.SolverOrder} is not supported; DPM++ 2M is order 2.");
        if ((config.SolverType ?? "midpoint") != "midpoint")
            throw new NotSupportedException($"{name}: solver_type '{config.SolverType}' is not supported; use 'midpoint'.");

        var schedule = NoiseSchedule.From(config, 0.0001, 0.02, "linear");
        int trainSteps = schedule.NumTrainTimesteps;
        if (steps < 1 || steps > trainSteps) throw new ArgumentOutOfRangeException(nameof(steps), $"Steps must be 1..{trainSteps}.");
        string spacing = config.TimestepSpacing ?? "linspace";

        // "linspace" and "leading" space n + 1 points and drop the final one (t = 0) here.
        double[] spaced = spacing switch
        {
            "linspace" or "leading" => TimestepSpacing.For(spacing, trainSteps, steps + 1, config.StepsOffset ?? 0)[..^1],
            _ => TimestepSpacing.For(spacing, trainSteps, steps, config.StepsOffset ?? 0),
        };
        if (spacing == "linspace") spaced = spaced.Select(t => Math.Round(t, MidpointRounding.ToEven)).ToArray();

        double[] sigmas;
        if (config.UseKarrasSigmas == true)
        {
            sigmas = NoiseSchedule.KarrasSigmas(schedule.TrainSigmas[0], schedule.TrainSigmas[^1], steps);
            _timesteps = sigmas.Select(s => (int)Math.Round(schedule.SigmaToTimestep(s), MidpointRounding.ToEven)).ToArray();
        }
        else
        {
            _timesteps = spaced.Select(t => (int)t).ToArray();
            sigmas = _timesteps.Select(t => schedule.InterpolateSigma(t)).ToArray();
        }
        _timestepValues = _timesteps.Select(t => (float)t).ToArray();

        string finalType = config.FinalSigmasType ?? "zero";
        float last = finalType switch
        {
            "zero" => 0f,
            "sigma_min" => schedule.SigmaAt(0),
            _ => throw new NotSupportedException($"{name}: final_sigmas_type '{finalType}' is not supported; use 'zero' or 'sigma_min'."),
        };
        _sigmas = [.. sigmas.Select(s => (float)s), last];
        _finalSigmaIsZero = finalType == "zero";
        _prediction = PredictionTypes.Parse(config.PredictionType);
        _lowerOrderFinal = config.LowerOrderFinal ?? true;
        _eulerAtFinal = config.EulerAtFinal ?? false;
        DisplayName = config.UseKarrasSigmas == true ? "DPM++ 2M Karras" : "DPM++ 2M";
    }

    public string DisplayName { get; }
    public int StepCount => _timesteps.Length;
    public IReadOnlyList<float> Timesteps => _timestepValues;
    public IReadOnlyList<float> Sigmas => _sigmas;
    public float InitNoiseSigma => 1f;

    public float[] ScaleModelInput(ReadOnlySpan<float> sample, int stepIndex) => sample.ToArray();

    public float[] AddNoise(ReadOnlySpan<float> original, ReadOnlySpan<float> noise, int stepIndex)
    {
        if ((uint)stepIndex >= (uint)_timesteps.Length)
            throw new ArgumentOutOfRangeException(nameof(stepIndex), $"Step {stepIndex} is outside 0..{_timesteps.Length - 1}.");
        // diffusers' _sigma_to_alpha_sigma_t in float32.
        float sigma = _sigmas[stepIndex];
        float alpha = 1f / MathF.Sqrt(sigma * sigma + 1f);
        return ForwardNoise.Blend(original, alpha, noise, sigma * alpha);
    }

    // VP parameterisation of a Karras σ: α = 1/√(σ²+1), σ_VP = σ·α, λ = log α − log σ_VP.
    static (double Alpha, double Sigma, double Lambda) AtSigma(double sigma)
    {
        double alpha = 1 / Math.Sqrt(sigma * sigma + 1);
        double sigmaVp = sigma * alpha;
        return (alpha, sigmaVp, Math.Log(alpha) - Math.Log(sigmaVp));
    }

    public float[] Step(ReadOnlySpan<float> modelOutput, int stepIndex, ReadOnlySpan<float> sample, TorchRandom? random = null)
    {
        EulerSchedule.CheckLengths(modelOutput, sample);
        if (_nextStep is int expected && stepIndex != expected)
            throw new InvalidOperationException($"DPM++ 2M is multistep: expected step {expected}, got {stepIndex}. Create a new scheduler to restart.");
        if ((uint)stepIndex >= (uint)_timesteps.Length)
            throw new ArgumentOutOfRangeException(nameof(stepIndex), $"Step {stepIndex} is outside 0..{_timesteps.Length - 1}.");

        var (alphaS, sigmaS, lambdaS) = AtSigma(_sigmas[stepIndex]);
        var (alphaT, sigmaT, lambdaT) = AtSigma(_sigmas[stepIndex + 1]);

        // convert_model_output: the solver works on x₀ predictions.
        var denoised = new float[sample.Length];
        for (int i = 0; i < denoised.Length; i++)
        {
            float x = sample[i], m = modelOutput[i];
            denoised[i] = _prediction switch
            {
                PredictionType.Epsilon => (float)((x - sigmaS * m) / alphaS),
                PredictionType.Sample => m,
                _ => (float)(alphaS * x - sigmaS * m),
            };
        }

        bool isLast = stepIndex == _timesteps.Length - 1;
        bool firstOrder = _previousDenoised is null
            || (isLast && (_eulerAtFinal || (_lowerOrderFinal && _timesteps.Length < 15) || _finalSigmaIsZero));

        // h = λ_t − λ_s; with σ_t = 0, λ_t = +∞ and e^{−h} = 0, so the step lands exactly on x₀.
        double h = lambdaT - lambdaS;
        double ratio = sigmaT / sigmaS;
        double phi = alphaT * (Math.Exp(-h) - 1.0);
        var prev = new float[sample.Length];
        if (firstOrder)
        {
            for (int i = 0; i < prev.Length; i++) prev[i] = (float)(ratio * sample[i] - phi * denoised[i]);
        }
        else
        {
            double lambdaPrev = AtSigma(_sigmas[stepIndex - 1]).Lambda;
            double r0 = (lambdaS - lambdaPrev) / h;
            float[] older = _previousDenoised!;
            for (int i = 0; i < prev.Length; i++)
            {
                double d1 = (denoised[i] - older[i]) / r0;
                prev[i] = (float)(ratio * sample[i] - phi * denoised[i] - 0.5 * phi * d1);
            }
        }

        _previousDenoised = denoised;
        _nextStep = stepIndex + 1;
        return prev;
    }
}
