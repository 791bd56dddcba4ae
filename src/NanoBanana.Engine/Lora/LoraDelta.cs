namespace NanoBanana.Lora;

/// <summary>The low-rank factors in the layouts the ONNX graph needs, with alpha/rank folded in.</summary>
internal static class LoraDelta
{
    /// <summary>A = downᵀ, [in·kh·kw, r] for a Linear branch x·A (down is [r,in(,kh,kw)]).</summary>
    public static float[] LinearA(LoraTarget t)
    {
        int r = t.Rank;
        int inner = t.Down.Length / r;
        var a = new float[t.Down.Length];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < inner; j++) a[j * r + i] = t.Down[i * inner + j];
        return a;
    }

    /// <summary>B = (alpha/rank)·factor·upᵀ, [r, out] for a Linear branch (up is [out,r(,1,1)]).</summary>
    public static float[] LinearB(LoraTarget t, float factor)
    {
        int r = t.Rank;
        long outs = t.OutFeatures;
        float s = t.Scale * factor;
        var b = new float[t.Up.Length];
        for (int o = 0; o < outs; o++)
            for (int i = 0; i < r; i++) b[i * outs + o] = t.Up[o * r + i] * s;
        return b;
    }

    /// <summary>Up as a 1×1 conv kernel [out, r, 1, 1] with alpha/rank folded in.</summary>
    public static float[] ConvUp(LoraTarget t) => t.Up.Select(v => v * t.Scale).ToArray();

    /// <summary>ΔW = (alpha/rank)·up@down in torch layout [out, in·kh·kw] (kernel dims innermost), for merging.</summary>
    public static float[] DeltaOutIn(LoraTarget t)
    {
        int r = t.Rank;
        long outs = t.OutFeatures;
        int inner = t.Down.Length / r;
        var delta = new float[outs * inner];
        for (int o = 0; o < outs; o++)
            for (int i = 0; i < r; i++)
            {
                float u = t.Up[o * r + i] * t.Scale;
                if (u == 0) continue;
                for (int j = 0; j < inner; j++) delta[o * inner + j] += u * t.Down[i * inner + j];
            }
        return delta;
    }
}
