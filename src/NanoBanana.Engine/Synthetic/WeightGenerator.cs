using System.Numerics;
using System.Text;

namespace NanoBanana.Synthetic;

/// <summary>
/// Seeded weights that depend only on the model seed and the parameter's module path, never on the order
/// in which tensors are written, so the Named and TorchExport forms of a model compute the same function
/// and the same options give byte-identical files. xoshiro256** seeded through SplitMix64.
/// </summary>
internal sealed class WeightGenerator(int seed)
{
    /// <summary>Uniform values in [center − bound, center + bound), as torch's default initialisers draw them.</summary>
    public void Fill(string key, Span<float> values, float bound, float center = 0f)
    {
        ulong state = SplitMix(((ulong)(uint)seed << 32) ^ Fnv1a(key));
        ulong s0 = SplitMix(ref state), s1 = SplitMix(ref state), s2 = SplitMix(ref state), s3 = SplitMix(ref state);
        float scale = 2f * bound / (1 << 24);
        for (int i = 0; i < values.Length; i++)
        {
            ulong result = BitOperations.RotateLeft(s1 * 5, 7) * 9;
            ulong t = s1 << 17;
            s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = BitOperations.RotateLeft(s3, 45);
            values[i] = center - bound + (result >> 40) * scale; // top 24 bits: exact in a float
        }
    }

    static ulong Fnv1a(string key)
    {
        ulong hash = 14695981039346656037;
        foreach (byte b in Encoding.UTF8.GetBytes(key)) hash = (hash ^ b) * 1099511628211;
        return hash;
    }

    static ulong SplitMix(ulong x)
    {
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EB;
        return x ^ (x >> 31);
    }

    static ulong SplitMix(ref ulong state) => SplitMix(state += 0x9E3779B97F4A7C15);
}
