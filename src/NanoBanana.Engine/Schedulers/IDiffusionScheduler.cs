namespace NanoBanana.Schedulers;

/// <summary>
/// A diffusers-style sampler, configured for a fixed number of steps. Pure numerics: it knows nothing of
/// ONNX; the pipeline feeds <see cref="ScaleModelInput"/>'s result and <see cref="Timesteps"/>[i] to the
/// UNet and hands the (guided) prediction back to <see cref="Step"/>.
/// </summary>
/// <remarks>
/// Random draws: a scheduler that needs fresh noise (Euler a every step, LCM every step but the last,
/// DDIM when η &gt; 0) takes it as <c>random.Randn([sample.Length])</c> from the generator it is given —
/// the same <see cref="TorchRandom"/> that drew the initial latents. That is diffusers with one CPU
/// generator: <c>randn_tensor(model_output.shape, generator)</c>, whose values depend only on the
/// element count. Multi-step schedulers (DPM++ 2M) keep history, so steps must be taken in order from the first one taken
/// (0, or image-to-image's start step), 1 apart.
/// </remarks>
public interface IDiffusionScheduler
{
    /// <summary>The sampler's name as A1111 writes it in PNG metadata, e.g. "Euler a", "DPM++ 2M Karras".</summary>
    string DisplayName { get; }

    int StepCount { get; }

    /// <summary>The UNet timestep for each step (fractional only for Euler-family linspace/Karras schedules).</summary>
    IReadOnlyList<float> Timesteps { get; }

    /// <summary>The noise level σ of the sample entering each step, plus one more entry: the level after
    /// the last step (<see cref="StepCount"/> + 1 values). For DDIM and LCM these are derived as
    /// √((1−ᾱ)/ᾱ) at their timesteps; they do not use them internally.</summary>
    IReadOnlyList<float> Sigmas { get; }

    /// <summary>Multiply the unit-variance starting noise by this before the first step.</summary>
    float InitNoiseSigma { get; }

    /// <summary>The UNet input for step <paramref name="stepIndex"/> (Euler family: sample / √(σ²+1); others unchanged).</summary>
    float[] ScaleModelInput(ReadOnlySpan<float> sample, int stepIndex);

    /// <summary>diffusers' <c>add_noise</c>: a clean sample (image-to-image's encoded image) noised to the level the
    /// sample entering step <paramref name="stepIndex"/> has. Euler family: x + σ·ε; DDIM and LCM: √ᾱ_t·x + √(1−ᾱ_t)·ε;
    /// DPM++: α_t·x + σ_t·ε of σ's variance-preserving form. Image-to-image then runs the loop from that step.</summary>
    float[] AddNoise(ReadOnlySpan<float> original, ReadOnlySpan<float> noise, int stepIndex);

    /// <summary>Advances <paramref name="sample"/> one step given the model's prediction for it.
    /// <paramref name="random"/> is required by schedulers that add noise and ignored by the others.</summary>
    float[] Step(ReadOnlySpan<float> modelOutput, int stepIndex, ReadOnlySpan<float> sample, TorchRandom? random = null);
}
