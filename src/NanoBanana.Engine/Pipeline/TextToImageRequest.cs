using NanoBanana.Imaging;
using NanoBanana.Layout;
using NanoBanana.Limits;
using NanoBanana.Schedulers;
using NanoBanana.Text;

namespace NanoBanana.Pipeline;

/// <summary>One text-to-image render, as a cmdlet row describes it. <see cref="Validate"/> names the
/// offending field and the fix.</summary>
public sealed record TextToImageRequest
{
    public string Prompt { get; init; } = "";

    public string NegativePrompt { get; init; } = "";

    public StylePreset Style { get; init; } = StylePreset.None;

    /// <summary>Null draws a random seed; the one used is reported in the image's parameters.</summary>
    public long? Seed { get; init; }

    public int Steps { get; init; } = 30;

    /// <summary>Classifier-free guidance scale; ≤ 1 skips the unconditional pass (Turbo/LCM models).</summary>
    public double CfgScale { get; init; } = 7.5;

    public int Width { get; init; } = 1024;

    public int Height { get; init; } = 1024;

    /// <summary>A sampler name (<see cref="SchedulerFactory.Names"/> or A1111's); null uses the model's scheduler_config.json.</summary>
    public string? Scheduler { get; init; }

    public GuidanceBatching GuidanceBatching { get; init; } = GuidanceBatching.Separate;

    /// <summary>Prompts over 75 tokens: A1111's windows (default) or diffusers' truncation.</summary>
    public PromptOverflow PromptOverflow { get; init; } = PromptOverflow.Chunk;

    /// <summary>Images per UNet evaluation: 2 when guidance runs as one combined batch, else 1.</summary>
    public int UnetBatch => CfgScale > 1 && GuidanceBatching == GuidanceBatching.Combined ? 2 : 1;

    /// <summary>Regional prompts: each part's words over its box (<see cref="NoisePrediction"/>); empty renders the
    /// global prompt alone.</summary>
    public IReadOnlyList<PromptRegion> Regions { get; init; } = [];

    /// <summary>Null decodes in one pass.</summary>
    public VaeTiling? VaeTiling { get; init; }

    /// <summary>Weights for registered LoRAs that override their registered weights for this render (-LoraWeight);
    /// the engine resolves them once into the render's <see cref="Lora.LoraSelection"/>.</summary>
    public IReadOnlyDictionary<string, double> LoraWeights { get; init; } = new Dictionary<string, double>();

    /// <summary>Where the parts go (planned for this Width × Height); null renders free composition.</summary>
    public PartLayout? Layout { get; init; }

    /// <summary>What the render's pixels outside the part masks become when there is a <see cref="Layout"/>.</summary>
    public SheetBackground Background { get; init; } = SheetBackground.White;

    /// <summary>Image-to-image strength, 0 to 1 (<see cref="DenoisingStrength"/>): with a start image (<see cref="InitImage"/>,
    /// else the layout's guide) the image is noised to this share of the schedule and denoised from there. 1 renders from
    /// noise and is text-to-image exactly; 0 returns the start image through the VAE.</summary>
    public double Strength { get; init; } = 1;

    /// <summary>The image to start from instead of the layout's guide (-InitImage); null starts from the guide when there
    /// is a <see cref="Layout"/>, from noise otherwise.</summary>
    public InitImage? InitImage { get; init; }

    /// <summary>What the render starts from below strength 1: the init image's path, "layout" for the layout's guide;
    /// null when it renders from noise.</summary>
    public string? StartImageSource => Strength >= 1 ? null : InitImage?.Path ?? (Layout is not null ? InitImage.LayoutSource : null);

    /// <summary>Throws an <see cref="ArgumentException"/> (ParamName = the field) for the first invalid field.</summary>
    public void Validate()
    {
        if (FirstProblem() is { } problem) throw new ArgumentException(problem.Message, problem.Field);
    }

    /// <summary>The first invalid field and a message naming its value and the fix; null when the request is valid.
    /// The single rule set: callers that report problems their own way (a catalogue row) use this instead of
    /// repeating the checks.</summary>
    public (string Field, string Message)? FirstProblem()
    {
        if (string.IsNullOrWhiteSpace(Prompt))
            return (nameof(Prompt), "Prompt is empty; describe the image to render.");
        if (NegativePrompt is null)
            return (nameof(NegativePrompt), "NegativePrompt is null; use \"\" for none.");
        if ((LengthProblem(Prompt, nameof(Prompt)) ?? LengthProblem(NegativePrompt, nameof(NegativePrompt))) is { } length)
            return length;
        if (!Enum.IsDefined(Style))
            return (nameof(Style), $"Style '{Style}' is unknown; use one of: {string.Join(", ", Enum.GetNames<StylePreset>())}.");
        if (Steps < 1 || Steps > 1000)
            return (nameof(Steps), $"Steps is {Steps}; use 1 to 1000 (30 is typical, 1–4 for Turbo/LCM models).");
        if (double.IsNaN(CfgScale) || CfgScale < 0)
            return (nameof(CfgScale), $"CfgScale is {CfgScale}; use 0 or more (7.5 is typical, ≤ 1 disables guidance).");
        if ((SizeProblem(Width, nameof(Width)) ?? SizeProblem(Height, nameof(Height))) is { } size)
            return size;
        if (!Enum.IsDefined(PromptOverflow))
            return (nameof(PromptOverflow), $"PromptOverflow '{PromptOverflow}' is unknown; use one of: {string.Join(", ", Enum.GetNames<PromptOverflow>())}.");
        if (Scheduler is not null && !SchedulerFactory.IsKnown(Scheduler))
            return (nameof(Scheduler), $"Scheduler '{Scheduler}' is unknown; use one of: {string.Join(", ", SchedulerFactory.Names)}.");
        if (Layout is { } layout && (layout.Width != Width || layout.Height != Height))
            return (nameof(Layout), $"Layout was planned for {layout.Width}x{layout.Height} but the render is {Width}x{Height}; plan it for the render's size.");
        if (!(Strength >= 0 && Strength <= 1))
            return (nameof(Strength), $"Strength is {Strength}; use 0 to 1 (0 returns the start image through the VAE, 1 renders from noise).");
        if (Strength < 1 && StartImageSource is null)
            return (nameof(Strength), $"Strength is {Strength} but the render has no image to start from; give an InitImage or a layout, or use 1.");
        if (InitImage is { } init && (init.Image.Width != Width || init.Image.Height != Height))
            return (nameof(InitImage), $"InitImage '{init.Path}' is {init.Image.Width}x{init.Image.Height} but the render is {Width}x{Height}; resize the image to {Width}x{Height} or set Width and Height to its size.");
        if (Regions.Select(r => r.Problem(Width, Height)).FirstOrDefault(p => p is not null) is { } region)
            return (nameof(Regions), char.ToUpperInvariant(region[0]) + region[1..]);
        try
        {
            VaeTiling?.Validate();
        }
        catch (ArgumentException e)
        {
            return (nameof(VaeTiling), e.Message);
        }
        return null;
    }

    internal static (string Field, string Message)? SizeProblem(int value, string field) =>
        // 64 pixels = 8 latent pixels: the UNet halves the latent three times (SD 1.5) and ONNX exports
        // upsample by fixed factors, so other sizes fail inside the UNet's skip concatenations.
        value < 64 || value % 64 != 0
            ? (field, $"{field} is {value}; it must be a positive multiple of 64 (e.g. {Math.Clamp((value + 32L) / 64 * 64, 64, InputLimits.MaxRenderSide)}).")
            : value > InputLimits.MaxRenderSide
                ? (field, $"{field} is {value}, over the limit of {InputLimits.MaxRenderSide}; render at 1024 (SDXL's size) and upscale with Invoke-Upscale.")
                : null;

    static (string Field, string Message)? LengthProblem(string text, string field) =>
        text.Length > InputLimits.MaxPromptCharacters
            ? (field, $"{field} is {text.Length:N0} characters, over the limit of {InputLimits.MaxPromptCharacters:N0}; CLIP reads 75 tokens per window, so shorten it to the words that matter.")
            : null;
}
