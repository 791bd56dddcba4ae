using NanoBanana.Models;

namespace NanoBanana.Synthetic;

/// <summary>How big a synthetic model is: <see cref="Tiny"/> renders in about a second, <see cref="Full"/> has SDXL's real shapes.</summary>
public enum SyntheticModelSize { Tiny, Small, Full }

/// <summary>The dtype of weights and of the graphs' float inputs and outputs.</summary>
public enum ModelPrecision { Float32, Float16 }

/// <summary>
/// How linear layers appear in the graph. <see cref="Named"/>: a diffusers-named <c>….weight</c> [out, in]
/// through a Transpose; <see cref="TorchExport"/>: an anonymous, already transposed <c>onnx::MatMul_N</c> [in, out],
/// as torch.onnx writes them. 2-D linears (time embeddings) are Gemm with named weights in both, as in real exports.
/// </summary>
public enum LinearStyle { Named, TorchExport }

/// <summary>What <see cref="SyntheticModelBuilder"/> builds. The same options give byte-identical files.</summary>
public sealed record SyntheticModelOptions
{
    public DiffusionArchitecture Architecture { get; init; } = DiffusionArchitecture.StableDiffusionXL;

    public SyntheticModelSize Size { get; init; } = SyntheticModelSize.Tiny;

    public ModelPrecision Precision { get; init; } = ModelPrecision.Float32;

    public LinearStyle LinearStyle { get; init; } = LinearStyle.Named;

    public int Seed { get; init; }

    /// <summary>The older export contract: int32 <c>input_ids</c> and int64 <c>timestep[batch]</c> instead of
    /// int64 ids and a float scalar timestep.</summary>
    public bool LegacyIo { get; init; }

    /// <summary>Only the UNet (with its model_index.json and scheduler), for benchmarks of the UNet alone.</summary>
    public bool UnetOnly { get; init; }
}
