namespace NanoBanana.Pipeline;

/// <summary>
/// A latent consistency model's guidance: the UNet input <c>timestep_cond</c> embeds the guidance scale instead of
/// running an unconditional pass (diffusers' <c>LatentConsistencyModelPipeline.get_guidance_scale_embedding</c> of
/// w = guidance_scale − 1).
/// </summary>
public static class GuidanceEmbedding
{
    /// <summary>[sin(1000·w·f), cos(1000·w·f)] with f_i = exp(−i·ln(10000)/(half − 1)), zero-padded to an odd
    /// <paramref name="dimension"/>; computed in fp32 as diffusers does.</summary>
    public static float[] Create(double guidanceScale, int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 4);
        float w = (float)(guidanceScale - 1) * 1000f;
        int half = dimension / 2;
        float step = MathF.Log(10000f) / (half - 1);
        var embedding = new float[dimension];
        for (int i = 0; i < half; i++)
        {
            float angle = w * MathF.Exp(i * -step);
            embedding[i] = MathF.Sin(angle);
            embedding[half + i] = MathF.Cos(angle);
        }
        return embedding;
    }
}
