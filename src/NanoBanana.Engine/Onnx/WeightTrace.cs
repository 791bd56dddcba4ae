using NanoBanana.Onnx.Proto;

namespace NanoBanana.Onnx;

/// <summary>
/// Where a MatMul/Gemm/Conv gets its weight: the initializer, whether a Transpose (or Gemm's transB) lies
/// between them, and the element type the layer computes in when a Cast does (fp16 weights, fp32 math).
/// </summary>
/// <param name="Transposed">An odd number of Transposes between initializer and layer.</param>
/// <param name="ComputeType">The Cast's target type, or null when the weight reaches the layer uncast.</param>
public sealed record WeightTrace(TensorProto Weight, bool Transposed, int? ComputeType);
