using NanoBanana.Layout;

namespace NanoBanana.Imaging;

/// <summary>
/// How an image was made: what A1111-compatible tools store in a PNG's <c>parameters</c> text chunk
/// (prompt, negative prompt, then a "Key: value, …" line). Steps applied after generation
/// (upscaling, sharpening) are appended to <see cref="Extra"/> so the history survives the pipeline.
/// </summary>
public sealed class GenerationParameters
{
    public string Prompt { get; set; } = "";

    public string NegativePrompt { get; set; } = "";

    public int? Steps { get; set; }

    /// <summary>Sampler as A1111 names it (e.g. "Euler a", "DPM++ 2M Karras").</summary>
    public string? Sampler { get; set; }

    public double? CfgScale { get; set; }

    public long? Seed { get; set; }

    public int? Width { get; set; }

    public int? Height { get; set; }

    public string? Model { get; set; }

    /// <summary>LoRA adapter name → weight, as applied to the render.</summary>
    public SortedDictionary<string, double> LoraWeights { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Where the parts sit, in this image's pixels (its own PNG text chunk, not part of the A1111 text).</summary>
    public PartLayout? Layout { get; set; }

    /// <summary>Any other "Key: value" pairs, in order (e.g. "Upscaler", "Sharpness").</summary>
    public List<KeyValuePair<string, string>> Extra { get; } = new();

    public bool IsEmpty =>
        Prompt.Length == 0 && NegativePrompt.Length == 0 && Steps is null && Sampler is null && CfgScale is null
        && Seed is null && Width is null && Height is null && Model is null && LoraWeights.Count == 0 && Extra.Count == 0;

    /// <summary>Sets (or replaces) an extra key, keeping its first position.</summary>
    public void SetExtra(string key, string value)
    {
        int i = Extra.FindIndex(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase));
        if (i >= 0) Extra[i] = new(key, value); else Extra.Add(new(key, value));
    }

    public GenerationParameters Clone()
    {
        var fresh = new GenerationParameters
        {
            Prompt = Prompt, NegativePrompt = NegativePrompt, Steps = Steps, Sampler = Sampler,
            CfgScale = CfgScale, Seed = Seed, Width = Width, Height = Height, Model = Model, Layout = Layout,
        };
        foreach (var (k, v) in LoraWeights) fresh.LoraWeights[k] = v;
        fresh.Extra.AddRange(Extra);
        return fresh;
    }
}
