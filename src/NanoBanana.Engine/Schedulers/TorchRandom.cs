namespace NanoBanana.Schedulers;

/// <summary>
/// A bit-exact reimplementation of PyTorch's CPU generator and <c>torch.randn(..., dtype=float32)</c>
/// (torch 1.13, x86-64 AVX2 kernel), so that a seed renders the same starting noise here as in
/// diffusers / A1111 with a CPU generator. The algorithm, including where the compiled kernel fuses
/// multiplies into FMAs, is documented in <c>/work/shared/notes/torch-randn.md</c>; each step below
/// names the ATen piece it mirrors.
/// </summary>
public sealed class TorchRandom
{
    const int StateSize = 624;
    const int Period = 397;

    readonly uint[] _state = new uint[StateSize];
    int _next;
    int _left;
    // at::normal_distribution<double> caches the second Box-Muller value in the generator.
    double? _cachedNormal;

    /// <summary>Same as <c>torch.Generator("cpu").manual_seed(seed)</c>. Only the low 32 bits reach the
    /// engine (torch reads the seed as uint64, then truncates), so negative seeds and seeds ≥ 2^32
    /// alias exactly as they do in torch.</summary>
    public TorchRandom(long seed)
    {
        _state[0] = (uint)seed;
        for (int j = 1; j < StateSize; j++)
            _state[j] = 1812433253u * (_state[j - 1] ^ (_state[j - 1] >> 30)) + (uint)j;
        // at::mt19937 twists lazily before the first output.
        _left = 1;
        _next = 0;
    }

    /// <summary>A seed for "no seed given": uniform in [0, 2^32 − 2), as A1111's
    /// <c>random.randrange(4294967294)</c>, so it round-trips through 32-bit seed fields.</summary>
    public static long NewRandomSeed() => Random.Shared.NextInt64(4294967294L);

    /// <summary>The next raw 32-bit output of the MT19937 engine.</summary>
    public uint NextUInt32()
    {
        if (--_left == 0) Twist();
        uint y = _state[_next++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        y ^= y >> 18;
        return y;
    }

    void Twist()
    {
        _left = StateSize;
        _next = 0;
        for (int i = 0; i < StateSize; i++)
        {
            uint y = (_state[i] & 0x80000000u) | (_state[(i + 1) % StateSize] & 0x7fffffffu);
            _state[i] = _state[(i + Period) % StateSize] ^ (y >> 1) ^ ((y & 1) != 0 ? 0x9908b0dfu : 0u);
        }
    }

    // at::uniform_real_distribution<float>: one engine output, low 24 bits only.
    float NextUniformFloat() => (NextUInt32() & 0xFFFFFF) * (1.0f / 16777216.0f);

    // at::uniform_real_distribution<double>: two outputs, first one is the high word, low 53 bits kept.
    double NextUniformDouble()
    {
        ulong hi = NextUInt32(), lo = NextUInt32();
        return (((hi << 32) | lo) & ((1UL << 53) - 1)) * (1.0 / 9007199254740992.0);
    }

    /// <summary><c>torch.randn(shape, generator=this, dtype=torch.float32)</c>; the stream continues
    /// across calls exactly as torch's does.</summary>
    public float[] Randn(ReadOnlySpan<int> shape)
    {
        long numel = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentOutOfRangeException(nameof(shape), "Dimensions must be non-negative.");
            numel *= d;
        }
        var data = new float[checked((int)numel)];
        Fill(data);
        return data;
    }

    /// <summary>Fills <paramref name="data"/> as <c>torch.randn</c> of that many elements would.</summary>
    public void Fill(Span<float> data)
    {
        int n = data.Length;
        if (n >= 16) FillVectorised(data);
        else
            for (int i = 0; i < n; i++) data[i] = (float)NextNormalDouble();
    }

    // normal_fill_AVX2: uniforms for every slot, Box-Muller per block of 16, and a tail that redraws
    // 16 fresh uniforms over the last 16 slots (discarding the ones step 1 drew for them).
    void FillVectorised(Span<float> data)
    {
        int n = data.Length;
        for (int i = 0; i < n; i++) data[i] = NextUniformFloat();
        for (int i = 0; i < n - 15; i += 16) BoxMuller16(data.Slice(i, 16));
        if (n % 16 != 0)
        {
            var tail = data.Slice(n - 16, 16);
            for (int i = 0; i < 16; i++) tail[i] = NextUniformFloat();
            BoxMuller16(tail);
        }
    }

    static void BoxMuller16(Span<float> d)
    {
        const float twoPi = (float)(2 * Math.PI);
        for (int j = 0; j < 8; j++)
        {
            float u1 = 1f - d[j];
            float u2 = d[j + 8];
            float radius = MathF.Sqrt(-2f * CephesLog(u1));
            float theta = twoPi * u2;
            CephesSinCos(theta, out float sin, out float cos);
            // fma(n, std, mean) with std = 1, mean = 0 is exactly n.
            d[j] = radius * cos;
            d[j + 8] = radius * sin;
        }
    }

    // log256_ps from avx_mathfun.h, as GCC compiled it (-mfma, -ffp-contract=fast): each multiply
    // feeding only an add is one FMA. Input is in (0, 1], so the NaN/denormal guards never fire.
    static float CephesLog(float v)
    {
        int bits = BitConverter.SingleToInt32Bits(v);
        float e = (float)((bits >>> 23) - 127) + 1f;
        float m = BitConverter.Int32BitsToSingle((bits & ~0x7f800000) | 0x3f000000);
        float x;
        if (m < 0.707106781186547524f)
        {
            e -= 1f;
            x = (m - 1f) + m;
        }
        else x = m - 1f;

        float z = x * x;
        float y = 7.0376836292E-2f;
        y = MathF.FusedMultiplyAdd(y, x, -1.1514610310E-1f);
        y = MathF.FusedMultiplyAdd(y, x, 1.1676998740E-1f);
        y = MathF.FusedMultiplyAdd(y, x, -1.2420140846E-1f);
        y = MathF.FusedMultiplyAdd(y, x, 1.4249322787E-1f);
        y = MathF.FusedMultiplyAdd(y, x, -1.6668057665E-1f);
        y = MathF.FusedMultiplyAdd(y, x, 2.0000714765E-1f);
        y = MathF.FusedMultiplyAdd(y, x, -2.4999993993E-1f);
        y = MathF.FusedMultiplyAdd(y, x, 3.3333331174E-1f);
        y *= x;
        y = MathF.FusedMultiplyAdd(y, z, e * -2.12194440e-4f);
        y -= 0.5f * z;
        x += y;
        x += e * 0.693359375f;
        return x;
    }

    // sincos256_ps from avx_mathfun.h for t ≥ 0 (theta is 2π·u with u ∈ [0, 1)), with GCC's FMAs.
    static void CephesSinCos(float t, out float sin, out float cos)
    {
        int j = (int)(t * 1.27323954473516f);
        j = (j + 1) & ~1;
        float y = j;
        float x = MathF.FusedMultiplyAdd(y, -0.78515625f, t);
        x = MathF.FusedMultiplyAdd(y, -2.4187564849853515625e-4f, x);
        x = MathF.FusedMultiplyAdd(y, -3.77489497744594108e-8f, x);
        float z = x * x;

        float c = MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(2.443315711809948e-5f, z, -1.388731625493765e-3f), z, 4.166664568298827e-2f);
        c *= z;
        c = MathF.FusedMultiplyAdd(c, z, -(0.5f * z));
        c += 1f;

        float s = MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(-1.9515295891e-4f, z, 8.3321608736e-3f), z, -1.6666654611e-1f);
        s *= z;
        s = MathF.FusedMultiplyAdd(s, x, x);

        bool swap = (j & 2) != 0;
        sin = swap ? c : s;
        cos = swap ? s : c;
        if ((j & 4) != 0) sin = -sin;
        if (((j - 2) & 4) == 0) cos = -cos;
    }

    // at::normal_distribution<double> (the numel < 16 path), with the generator-held cache.
    double NextNormalDouble()
    {
        if (_cachedNormal is double cached)
        {
            _cachedNormal = null;
            return cached;
        }
        double u1 = NextUniformDouble();
        double u2 = NextUniformDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(1.0 - u2));
        double theta = 2.0 * Math.PI * u1;
        _cachedNormal = r * Math.Sin(theta);
        return r * Math.Cos(theta);
    }
}
