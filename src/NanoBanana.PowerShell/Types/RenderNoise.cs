namespace NanoBanana;

/// <summary>The starting latent noise of a render (Get-RenderNoise): torch's <c>randn</c> for the seed, before
/// the scheduler scales it. Compare <see cref="Values"/> with a diffusers run to check a port bit for bit.</summary>
public sealed class RenderNoise
{
    internal RenderNoise(long seed, int[] shape, float[] values)
    {
        Seed = seed;
        Shape = shape;
        Values = values;
    }

    public long Seed { get; }

    /// <summary>[batch, channels, height/8, width/8].</summary>
    public int[] Shape { get; }

    /// <summary>The values in row-major (NCHW) order.</summary>
    public float[] Values { get; }

    public override string ToString() => $"seed {Seed} [{string.Join(", ", Shape)}]";
}
