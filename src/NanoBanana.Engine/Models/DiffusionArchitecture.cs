namespace NanoBanana.Models;

/// <summary>The pipeline family a model folder was exported from (model_index.json <c>_class_name</c>).</summary>
public enum DiffusionArchitecture
{
    /// <summary>Stable Diffusion 1.x: one CLIP ViT-L text encoder, 0.18215 VAE scaling.</summary>
    StableDiffusion15,

    /// <summary>SDXL: two text encoders, pooled embeddings and time ids, 0.13025 VAE scaling.</summary>
    StableDiffusionXL,
}
