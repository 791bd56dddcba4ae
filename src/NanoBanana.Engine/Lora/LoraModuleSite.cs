using NanoBanana.Onnx.Proto;

namespace NanoBanana.Lora;

/// <summary>
/// A weight-bearing node a LoRA can attach to: a Linear (MatMul/Gemm) or Conv, its module path and
/// the initializer holding its weight. <see cref="StoredOutIn"/> says whether the initializer is in
/// torch's [out,in] layout (Named exports, Gemm transB) or transposed [in,out] (anonymous <c>onnx::MatMul_*</c>).
/// </summary>
public sealed record LoraModuleSite(
    string ModulePath,
    NodeProto Node,
    string WeightName,
    long[] WeightDims,
    bool StoredOutIn,
    int ElementType)
{
    public bool IsConv => Node.OpType == "Conv";

    public long InFeatures => IsConv ? WeightDims[1] : StoredOutIn ? WeightDims[1] : WeightDims[0];

    public long OutFeatures => IsConv ? WeightDims[0] : StoredOutIn ? WeightDims[0] : WeightDims[1];

    public long KernelHeight => IsConv && WeightDims.Length == 4 ? WeightDims[2] : 1;

    public long KernelWidth => IsConv && WeightDims.Length == 4 ? WeightDims[3] : 1;
}
