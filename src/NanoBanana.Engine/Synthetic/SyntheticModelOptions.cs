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

/// <summary>The model variants users bring, built synthetically, each with the inputs, outputs and configs its real export declares.</summary>
public enum SyntheticModelVariant
{
    /// <summary>SDXL base or SD 1.5.</summary>
    Standard,

    /// <summary>SD 2.x (SD family only): linear projections in the transformers, a v-prediction scheduler.</summary>
    StableDiffusion2,

    /// <summary>SDXL-Turbo (SDXL only): "trailing" timestep spacing, rendered in 1–4 steps without guidance.</summary>
    Turbo,

    /// <summary>A latent consistency model: the UNet takes <c>timestep_cond</c> (the guidance-scale embedding) and
    /// the scheduler is LCMScheduler.</summary>
    LatentConsistency,

    /// <summary>A distilled SDXL-family UNet (SSD-1B, Vega; SDXL only): other transformer_layers_per_block than the base.</summary>
    Distilled,

    /// <summary>The SDXL refiner (SDXL only): text_encoder_2 alone conditions the UNet, whose time ids are five
    /// (sizes, crop and an aesthetic score); model_index.json names StableDiffusionXLImg2ImgPipeline.</summary>
    Refiner,
}

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

    public SyntheticModelVariant Variant { get; init; } = SyntheticModelVariant.Standard;
}
