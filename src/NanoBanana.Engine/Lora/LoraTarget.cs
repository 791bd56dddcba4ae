namespace NanoBanana.Lora;

/// <summary>Linear: down [r,in], up [out,r]. Conv: down [r,in,kh,kw], up [out,r,1,1].</summary>
public enum LoraLayerKind { Linear, Conv }

/// <summary>
/// One low-rank delta ΔW = (alpha / rank) · up @ down for one module.
/// <see cref="ModuleKey"/> is the module path as the file spells it: dotted for PEFT, underscored
/// for kohya (ambiguous on its own; <see cref="LoraTargetMapper"/> resolves it against the graph).
/// </summary>
public sealed record LoraTarget(
    LoraComponent Component,
    string ModuleKey,
    string SourceKey,
    float[] Down,
    long[] DownShape,
    float[] Up,
    long[] UpShape,
    float Alpha,
    int Rank,
    LoraLayerKind Kind)
{
    public float Scale => Alpha / Rank;

    public long InFeatures => DownShape[1];

    public long OutFeatures => UpShape[0];
}
