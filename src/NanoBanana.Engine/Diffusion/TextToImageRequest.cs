using NanoBanana.Text;

namespace NanoBanana.Diffusion;

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

    /// <summary>Null decodes in one pass.</summary>
    public VaeTiling? VaeTiling { get; init; }

    /// <summary>The weight of each registered LoRA for this render (the engine fills it from Set-LoraWeight and
    /// -LoraWeight); empty renders the base model.</summary>
    public IReadOnlyDictionary<string, double> LoraWeights { get; init; } = new Dictionary<string, double>();

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Prompt))
            throw new ArgumentException("Prompt is empty; describe the image to render.", nameof(Prompt));
        if (NegativePrompt is null)
            throw new ArgumentException("NegativePrompt is null; use \"\" for none.", nameof(NegativePrompt));
        if (!Enum.IsDefined(Style))
            throw new ArgumentException($"Style '{Style}' is unknown; use one of: {string.Join(", ", Enum.GetNames<StylePreset>())}.", nameof(Style));
        if (Steps < 1 || Steps > 1000)
            throw new ArgumentException($"Steps is {Steps}; use 1 to 1000 (30 is typical, 1–4 for Turbo/LCM models).", nameof(Steps));
        if (double.IsNaN(CfgScale) || CfgScale < 0)
            throw new ArgumentException($"CfgScale is {CfgScale}; use 0 or more (7.5 is typical, ≤ 1 disables guidance).", nameof(CfgScale));
        CheckSize(Width, nameof(Width));
        CheckSize(Height, nameof(Height));
        if (Scheduler is not null && !SchedulerFactory.IsKnown(Scheduler))
            throw new ArgumentException($"Scheduler '{Scheduler}' is unknown; use one of: {string.Join(", ", SchedulerFactory.Names)}.", nameof(Scheduler));
        VaeTiling?.Validate();
    }

    static void CheckSize(int value, string field)
    {
        // 64 pixels = 8 latent pixels: the UNet halves the latent three times (SD 1.5) and ONNX exports
        // upsample by fixed factors, so other sizes fail inside the UNet's skip concatenations.
        if (value < 64 || value % 64 != 0)
            throw new ArgumentException($"{field} is {value}; it must be a positive multiple of 64 (e.g. {Math.Max(64, (value + 32) / 64 * 64)}).", field);
    }
}
