namespace NanoBanana.Models;

/// <summary>How a recognised model is conditioned beyond the text (decides what the UNet is fed).</summary>
public enum ModelVariant
{
    /// <summary>A base SD/SDXL UNet: text conditioning, classifier-free guidance by two passes.</summary>
    Standard,

    /// <summary>A latent consistency model: the UNet takes <c>timestep_cond</c>, an embedding of the guidance
    /// scale, and is run once per step (no unconditional pass).</summary>
    LatentConsistency,
}

/// <summary>
/// What a model folder is, decided by what it contains rather than by one class name: the UNet's inputs (SDXL's
/// added <c>text_embeds</c>/<c>time_ids</c>, 4 or 9 latent channels, LCM's <c>timestep_cond</c>), which text
/// encoders exist and how wide their output is. <c>model_index.json</c>'s <c>_class_name</c> is reported but only
/// tells the pipeline class the export went through: Optimum 1.14–1.20 write
/// <c>StableDiffusionXLImg2ImgPipeline</c> for every SDXL export, whose components are the text-to-image ones.
/// Variants NanoBanana cannot render (inpainting UNets, the SDXL refiner) are refused with a
/// <see cref="ModelInvalidException"/> naming the variant and the fix.
/// </summary>
public sealed record ModelRecognition(DiffusionArchitecture Architecture, string Family, ModelVariant Variant, string ClassName, string Summary)
{
    /// <summary>Pipeline classes of diffusers and Optimum whose exports hold SD/SDXL components, by the task they name.</summary>
    static readonly Dictionary<string, string> KnownClasses = new(StringComparer.Ordinal)
    {
        ["StableDiffusionPipeline"] = "text-to-image", ["StableDiffusionImg2ImgPipeline"] = "image-to-image",
        ["StableDiffusionInpaintPipeline"] = "inpainting",
        ["StableDiffusionXLPipeline"] = "text-to-image", ["StableDiffusionXLImg2ImgPipeline"] = "image-to-image",
        ["StableDiffusionXLInpaintPipeline"] = "inpainting",
        ["LatentConsistencyModelPipeline"] = "text-to-image", ["LatentConsistencyModelImg2ImgPipeline"] = "image-to-image",
        ["ORTStableDiffusionPipeline"] = "text-to-image", ["ORTStableDiffusionImg2ImgPipeline"] = "image-to-image",
        ["ORTStableDiffusionInpaintPipeline"] = "inpainting",
        ["ORTStableDiffusionXLPipeline"] = "text-to-image", ["ORTStableDiffusionXLImg2ImgPipeline"] = "image-to-image",
        ["ORTStableDiffusionXLInpaintPipeline"] = "inpainting",
        ["ORTLatentConsistencyModelPipeline"] = "text-to-image", ["ORTLatentConsistencyModelImg2ImgPipeline"] = "image-to-image",
    };

    /// <summary>The class names a folder may name (any of them; the graphs decide what it is).</summary>
    public static IReadOnlyCollection<string> KnownClassNames => KnownClasses.Keys;

    /// <param name="indexPath">model_index.json, named in messages.</param>
    /// <param name="className">Its <c>_class_name</c> ("" when absent).</param>
    /// <param name="unet">The UNet's I/O contract (required: it decides the architecture).</param>
    /// <param name="textEncoder">text_encoder's contract, null when the folder has none.</param>
    /// <param name="textEncoder2">text_encoder_2's contract, null when the folder has none.</param>
    /// <exception cref="ModelInvalidException">A variant that cannot render text to image, or a UNet that is not SD/SDXL's.</exception>
    public static ModelRecognition Recognise(string indexPath, string className, ModelComponent unet, ModelComponent? textEncoder, ModelComponent? textEncoder2)
    {
        ArgumentNullException.ThrowIfNull(unet);
        string folder = Path.GetDirectoryName(indexPath) ?? indexPath;
        int channels = unet.Inputs.FirstOrDefault(i => i.Name == "sample") is { Rank: 4 } s ? s.Dimensions[1] : -1;
        int contextWidth = unet.Inputs.FirstOrDefault(i => i.Name == "encoder_hidden_states") is { Rank: 3 } e ? e.Dimensions[2] : -1;
        int timeIds = unet.Inputs.FirstOrDefault(i => i.Name == "time_ids") is { Rank: 2 } t ? t.Dimensions[1] : -1;
        // SDXL's UNet takes the pooled text embedding and the time ids; a second text encoder also marks the SDXL
        // family, so that an SDXL folder whose UNet lacks them is reported as a broken SDXL UNet, not as SD 1.5.
        bool added = unet.HasInput("text_embeds") && unet.HasInput("time_ids");
        bool xl = added || textEncoder2 is not null;
        bool known = KnownClasses.TryGetValue(className, out string? task);

        if (channels == 9)
            throw new ModelInvalidException(unet.Path,
                "is an inpainting UNet: it takes 9 input channels (latents, mask and masked image) and renders only from an image and a mask, which New-ExplodedView does not take",
                "Use the base (text-to-image) export of the same model, e.g. stable-diffusion-xl-base-1.0 rather than its -inpainting variant.");
        if (channels is > 0 and not 4)
            throw new ModelInvalidException(unet.Path, $"takes {channels} latent channels; SD and SDXL text-to-image UNets take 4",
                "Use a Stable Diffusion 1.x/2.x or SDXL text-to-image export (`optimum-cli export onnx`).");
        if (xl && (timeIds == 5 || textEncoder is null))
            throw new ModelInvalidException(folder,
                "is the SDXL refiner (text_encoder_2 only; its UNet takes 5 time ids, the last an aesthetic score): it refines an existing image, which needs image-to-image",
                "Render with the SDXL base export (stable-diffusion-xl-base-1.0); use the refiner once image-to-image is available.");
        if (!unet.HasInput("sample") || !unet.HasInput("encoder_hidden_states"))
            throw new ModelInvalidException(unet.Path,
                $"is not a Stable Diffusion UNet: it has no 'sample' and 'encoder_hidden_states' inputs (it has {string.Join(", ", unet.Inputs.Select(i => i.Name))})",
                "Pass a diffusers/Optimum Stable Diffusion or SDXL export (`optimum-cli export onnx --model <id> <folder>`).");

        var architecture = xl ? DiffusionArchitecture.StableDiffusionXL : DiffusionArchitecture.StableDiffusion15;
        var variant = unet.HasInput("timestep_cond") ? ModelVariant.LatentConsistency : ModelVariant.Standard;
        int encoderWidth = textEncoder?.Outputs.FirstOrDefault(o => o.Name == "last_hidden_state") is { Rank: 3 } h ? h.Dimensions[2] : contextWidth;
        string family = xl ? "SDXL" : encoderWidth switch
        {
            768 => "Stable Diffusion 1.x",
            1024 => "Stable Diffusion 2.x",
            _ => "Stable Diffusion (1.x/2.x layout)",
        };
        if (variant == ModelVariant.LatentConsistency) family += " latent consistency (LCM)";

        var notes = new List<string>();
        string graphs = added ? "UNet with text_embeds and time_ids, two text encoders"
            : xl ? "two text encoders, but the UNet lacks text_embeds/time_ids" : "UNet without added conditioning, one text encoder";
        if (className.Length == 0) notes.Add("model_index.json names no pipeline class");
        else if (!known) notes.Add($"model_index.json names '{className}', which NanoBanana does not know; the components fit {family}");
        else
        {
            bool namesXl = className.Contains("XL", StringComparison.Ordinal);
            if (namesXl != xl && !className.Contains("LatentConsistency", StringComparison.Ordinal))
                notes.Add($"model_index.json names {className}, but the graphs are {family}'s");
            else if (task != "text-to-image")
                notes.Add($"model_index.json names the {task} class {className} (Optimum 1.14–1.20 write StableDiffusionXLImg2ImgPipeline for every SDXL export); the components are the text-to-image ones");
            else notes.Add($"model_index.json names {className}");
        }
        string summary = $"{family} text-to-image ({graphs}{(variant == ModelVariant.LatentConsistency ? ", timestep_cond" : "")}); {string.Join("; ", notes)}.";
        return new ModelRecognition(architecture, family, variant, className, summary);
    }
}
