using NanoBanana.Models;

namespace NanoBanana.Schedulers;

/// <summary>
/// The training noise schedule shared by all schedulers: betas → ᾱ (alphas_cumprod) → σ = √((1−ᾱ)/ᾱ),
/// computed with the same float32 arithmetic as diffusers on torch's CPU kernels so that the
/// resulting sigmas match diffusers to the last bit (verified against torch 1.13).
/// </summary>
internal sealed class NoiseSchedule
{
    public int NumTrainTimesteps { get; }

    /// <summary>ᾱ_t for t = 0 … N−1 (float32, as diffusers holds it).</summary>
    public float[] AlphasCumprod { get; }

    /// <summary>σ_t = √((1−ᾱ_t)/ᾱ_t) for t = 0 … N−1, ascending.</summary>
    public float[] TrainSigmas { get; }

    public NoiseSchedule(int numTrainTimesteps, double betaStart, double betaEnd, string betaSchedule)
    {
        if (numTrainTimesteps < 2) throw new ArgumentOutOfRangeException(nameof(numTrainTimesteps));
        NumTrainTimesteps = numTrainTimesteps;
        float[] betas = betaSchedule switch
        {
            "linear" => TorchLinspace((float)betaStart, (float)betaEnd, numTrainTimesteps),
            // "very specific to the latent diffusion model" (diffusers): linear in √β.
            "scaled_linear" => TorchLinspace((float)Math.Sqrt(betaStart), (float)Math.Sqrt(betaEnd), numTrainTimesteps)
                .Select(b => b * b).ToArray(),
            _ => throw new NotSupportedException($"beta_schedule '{betaSchedule}' is not supported; use 'linear' or 'scaled_linear'."),
        };

        // torch.cumprod on CPU accumulates float32 inputs in double and stores float32.
        AlphasCumprod = new float[numTrainTimesteps];
        double product = 1;
        for (int i = 0; i < numTrainTimesteps; i++)
        {
            product *= 1f - betas[i];
            AlphasCumprod[i] = (float)product;
        }
        TrainSigmas = AlphasCumprod.Select(a => MathF.Sqrt((1f - a) / a)).ToArray();
        // Betas near 1 over many timesteps drive ᾱ to 0 in float32: σ = ∞, and the render would come out black.
        if (Limits.FiniteValues.FirstNonFinite(TrainSigmas) is >= 0 and var t)
            throw new InvalidDataException($"scheduler_config.json: beta_start {betaStart}, beta_end {betaEnd} ({betaSchedule}) over {numTrainTimesteps} timesteps give σ = {TrainSigmas[t]} at timestep {t}. Use the original model's betas (SD: 0.00085 to 0.012, scaled_linear).");
    }

    public static NoiseSchedule From(SchedulerConfig config, double defaultBetaStart, double defaultBetaEnd, string defaultBetaSchedule) =>
        new(config.NumTrainTimesteps ?? 1000, config.BetaStart ?? defaultBetaStart, config.BetaEnd ?? defaultBetaEnd,
            config.BetaSchedule ?? defaultBetaSchedule);

    /// <summary>DDPM's forward process at the training timestep of step <paramref name="stepIndex"/> of
    /// <paramref name="timesteps"/>, as diffusers' DDIM/LCM <c>add_noise</c> computes it in float32: √ᾱ_t·x + √(1−ᾱ_t)·ε.</summary>
    public float[] AddNoise(ReadOnlySpan<float> original, ReadOnlySpan<float> noise, IReadOnlyList<int> timesteps, int stepIndex)
    {
        if ((uint)stepIndex >= (uint)timesteps.Count)
            throw new ArgumentOutOfRangeException(nameof(stepIndex), $"Step {stepIndex} is outside 0..{timesteps.Count - 1}.");
        float alpha = AlphasCumprod[timesteps[stepIndex]];
        return ForwardNoise.Blend(original, MathF.Sqrt(alpha), noise, MathF.Sqrt(1f - alpha));
    }

    /// <summary>σ at a training timestep: √((1−ᾱ)/ᾱ) in float32, as diffusers' <c>sigma_last</c> for "sigma_min".</summary>
    public float SigmaAt(int t) => TrainSigmas[t];

    /// <summary><c>np.interp(t, arange(N), sigmas)</c>: linear interpolation of the training sigmas in double.</summary>
    public double InterpolateSigma(double t)
    {
        if (t <= 0) return TrainSigmas[0];
        if (t >= NumTrainTimesteps - 1) return TrainSigmas[^1];
        int i = (int)Math.Floor(t);
        double lo = TrainSigmas[i], hi = TrainSigmas[i + 1];
        double w = t - i;
        // numpy's interp formula: slope * (x - xp[i]) + fp[i].
        return (hi - lo) * w + lo;
    }

    /// <summary>diffusers' <c>_sigma_to_t</c>: the fractional training timestep whose log-σ matches, by
    /// linear interpolation in log-σ between neighbouring training timesteps. As in diffusers, the training
    /// log-σ are float32 (numpy's log of a float32 array) and the rest is double.</summary>
    public double SigmaToTimestep(double sigma)
    {
        _logSigmas ??= TrainSigmas.Select(s => MathF.Log(s)).ToArray();
        double logSigma = Math.Log(Math.Max(sigma, 1e-10));
        int n = _logSigmas.Length;
        // Last index whose log σ is ≤ log_sigma (log σ ascends with t), clipped to n − 2.
        int low = 0;
        for (int i = 0; i < n; i++)
            if (logSigma - _logSigmas[i] >= 0) low = i;
        low = Math.Min(low, n - 2);
        float lowLog = _logSigmas[low], highLog = _logSigmas[low + 1];
        // low − high is a float32 difference in numpy; low − log_sigma is promoted to double.
        double w = Math.Clamp((lowLog - logSigma) / (lowLog - highLog), 0, 1);
        return (1 - w) * low + w * (low + 1);
    }

    float[]? _logSigmas;

    /// <summary>Karras et al. (2022) ρ = 7 schedule between <paramref name="sigmaMax"/> and
    /// <paramref name="sigmaMin"/>, as diffusers' <c>_convert_to_karras</c> (double precision).</summary>
    public static double[] KarrasSigmas(double sigmaMin, double sigmaMax, int count)
    {
        const double rho = 7.0;
        double minInvRho = Math.Pow(sigmaMin, 1 / rho), maxInvRho = Math.Pow(sigmaMax, 1 / rho);
        var result = new double[count];
        for (int i = 0; i < count; i++)
        {
            double ramp = Linspace(0, 1, count, i);
            result[i] = Math.Pow(maxInvRho + ramp * (minInvRho - maxInvRho), rho);
        }
        return result;
    }

    /// <summary>Element <paramref name="i"/> of <c>np.linspace(start, stop, count)</c> (endpoint included).</summary>
    public static double Linspace(double start, double stop, int count, int i)
    {
        if (count > 1 && i == count - 1) return stop;
        if (count <= 1) return start;
        double step = (stop - start) / (count - 1);
        return i * step + start;
    }

    /// <summary><c>torch.linspace(start, end, steps, dtype=float32)</c> on CPU: the first half counts up from
    /// start and the second half down from end, evaluated by the AVX2 kernel in 8-lane vectors
    /// (a base per vector plus k·step, each a fused multiply-add), with a scalar tail for the
    /// last steps mod 16.</summary>
    static float[] TorchLinspace(float start, float end, int steps)
    {
        float step = (end - start) / (steps - 1);
        int halfway = steps / 2;
        var result = new float[steps];
        float Base(int idx) => idx < halfway
            ? MathF.FusedMultiplyAdd(step, idx, start)
            : MathF.FusedMultiplyAdd(-step, steps - idx - 1, end);
        int vectorised = steps / 16 * 16;
        for (int chunk = 0; chunk < vectorised; chunk += 8)
        {
            float b = Base(chunk);
            for (int k = 0; k < 8; k++) result[chunk + k] = MathF.FusedMultiplyAdd(k, step, b);
        }
        for (int idx = vectorised; idx < steps; idx++) result[idx] = Base(idx);
        return result;
    }
}
