namespace NanoBanana.Schedulers;

/// <summary>Every scheduler's <c>add_noise</c> is the same blend, signal·x + spread·ε; only the two factors differ
/// (Euler: 1 and σ; DDIM and LCM: √ᾱ_t and √(1−ᾱ_t); DPM++: α_t and σ_t).</summary>
internal static class ForwardNoise
{
    public static float[] Blend(ReadOnlySpan<float> original, float signal, ReadOnlySpan<float> noise, float spread)
    {
        EulerSchedule.CheckLengths(noise, original);
        var noisy = new float[original.Length];
        for (int i = 0; i < noisy.Length; i++) noisy[i] = signal * original[i] + spread * noise[i];
        return noisy;
    }
}
