using Microsoft.ML.OnnxRuntime.Tensors;

namespace NanoBanana.Models;

/// <summary>One tensor of a component's I/O contract as ORT reports it (dimensions: -1 for symbolic).</summary>
public sealed record TensorContract(string Name, TensorElementType ElementType, IReadOnlyList<int> Dimensions)
{
    public int Rank => Dimensions.Count;
}

/// <summary>One ONNX component of a model folder (text_encoder, unet, vae_decoder, …) and its I/O contract
/// read from the file's metadata, never assumed. <see cref="WeightBytes"/> is what its weights take in the file;
/// <see cref="HalfWeightBytes"/> the part in fp16 read by standard ONNX operators, which ONNX Runtime's CPU provider
/// has no fp16 kernels for and casts to fp32 when the session loads; <see cref="FusedAttention"/> says its attention
/// runs as <see cref="ContribOps.MultiHeadAttention"/>, whose kernels never hold the score matrix.</summary>
public sealed record ModelComponent(string Name, string Path, IReadOnlyList<TensorContract> Inputs, IReadOnlyList<TensorContract> Outputs,
    long WeightBytes = 0, bool FusedAttention = false, long HalfWeightBytes = 0)
{
    public TensorContract Input(string name) => Inputs.FirstOrDefault(i => i.Name == name)
        ?? throw new InvalidDataException($"{Path} has no input '{name}' (it has: {string.Join(", ", Inputs.Select(i => i.Name))}). Re-export the model with diffusers/Optimum.");

    public TensorContract Output(string name) => Outputs.FirstOrDefault(o => o.Name == name)
        ?? throw new InvalidDataException($"{Path} has no output '{name}' (it has: {string.Join(", ", Outputs.Select(o => o.Name))}). Re-export the model with diffusers/Optimum.");

    public bool HasInput(string name) => Inputs.Any(i => i.Name == name);

    public bool HasOutput(string name) => Outputs.Any(o => o.Name == name);
}
