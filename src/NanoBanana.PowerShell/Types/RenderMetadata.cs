using System.Collections;
using System.Collections.Specialized;
using NanoBanana.Imaging;

namespace NanoBanana;

/// <summary>The generation parameters stored in an image (A1111's PNG <c>parameters</c> text).</summary>
public sealed class RenderMetadata
{
    internal RenderMetadata(string? path, GenerationParameters parameters, string text)
    {
        Path = path;
        Prompt = parameters.Prompt;
        NegativePrompt = parameters.NegativePrompt;
        Steps = parameters.Steps;
        Sampler = parameters.Sampler;
        CfgScale = parameters.CfgScale;
        Seed = parameters.Seed;
        Width = parameters.Width;
        Height = parameters.Height;
        Model = parameters.Model;
        LoraWeights = new Hashtable(parameters.LoraWeights, StringComparer.OrdinalIgnoreCase);
        Extra = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in parameters.Extra) Extra[key] = value;
        Text = text;
    }

    public string? Path { get; }

    public string Prompt { get; }

    public string NegativePrompt { get; }

    public int? Steps { get; }

    public string? Sampler { get; }

    public double? CfgScale { get; }

    public long? Seed { get; }

    public int? Width { get; }

    public int? Height { get; }

    public string? Model { get; }

    public Hashtable LoraWeights { get; }

    /// <summary>Other "Key: value" pairs, in order (e.g. Upscaler, Sharpness).</summary>
    public OrderedDictionary Extra { get; }

    /// <summary>The <c>parameters</c> text exactly as stored (or as it would be written, for in-memory images).</summary>
    public string Text { get; }
}
