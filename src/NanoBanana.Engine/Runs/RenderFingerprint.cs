using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NanoBanana.Catalogue;

namespace NanoBanana.Runs;

/// <summary>
/// The hash of everything that determines a stage's output, as lowercase hex SHA-256 over a canonical "name=value"
/// text. A render's covers the model's identity (<see cref="ModelIdentity"/>), the composed prompt (the layout: style
/// preset and structured parts are folded into it), negative prompt, style, seed ("random" for a row that gives none), size, steps, guidance, scheduler,
/// guidance batching, prompt overflow, the regions of the layout (prompt and box), VAE tiling, the image-to-image strength and
/// start image (the layout's guide, or an init image's file identity) and every LoRA applied (name, file identity, weight). A later stage's chains its
/// input's hash with its own settings, so a changed prompt invalidates the upscale and sharpen of that row too.
/// </summary>
public static class RenderFingerprint
{
    /// <param name="loras">The LoRAs the render applies: name, file and weight (registered weights with the row's overrides).</param>
    public static string Of(RenderJob job, string modelIdentity, IEnumerable<(string Name, string Path, double Weight)> loras)
    {
        ArgumentNullException.ThrowIfNull(job);
        var r = job.Request;
        var fields = new List<(string, string)>
        {
            ("stage", RunStage.Render),
            ("model", modelIdentity),
            ("prompt", r.Prompt),
            ("negative", r.NegativePrompt),
            ("style", r.Style.ToString()),
            // A row without a seed asked for any seed: the one drawn for this render must not make every resume redo it.
            ("seed", string.IsNullOrWhiteSpace(job.Row.Seed) ? "random" : Text(r.Seed)),
            ("width", Text(r.Width)),
            ("height", Text(r.Height)),
            ("steps", Text(r.Steps)),
            ("cfg", Text(r.CfgScale)),
            ("scheduler", r.Scheduler ?? ""),
            ("batching", r.GuidanceBatching.ToString()),
            ("overflow", r.PromptOverflow.ToString()),
            ("vaeTiling", r.VaeTiling is { } t ? $"{t.TileSize}/{t.Overlap}" : ""),
            // Image-to-image: the strength and what it starts from (an init image by its file's identity).
            ("strength", Text(r.Strength)),
            ("start", r.StartImageSource is { } source && source != Pipeline.InitImage.LayoutSource ? FileIdentity(source) : r.StartImageSource ?? ""),
        };
        // The layout: each region's prompt and box, in order.
        foreach (var region in r.Regions)
            fields.Add(("region", $"{Text(region.X)},{Text(region.Y)},{Text(region.Width)},{Text(region.Height)}:{region.Prompt}"));
        foreach (var (name, path, weight) in loras.OrderBy(l => l.Name, StringComparer.OrdinalIgnoreCase))
            fields.Add(($"lora:{name.ToLowerInvariant()}", $"{FileIdentity(path)}@{Text(weight)}"));
        return Hash(fields);
    }

    /// <summary>A later stage's hash: its input's hash and its own settings (e.g. scale and model, or the sharpen factor).</summary>
    public static string Chain(string inputHash, string stage, params (string Name, string Value)[] settings) =>
        Hash([("input", inputHash), ("stage", stage), .. settings]);

    /// <summary>A file's identity without reading it: full path, length and last write time (an edited file changes it).</summary>
    public static string FileIdentity(string path)
    {
        var file = new FileInfo(path);
        return file.Exists
            ? $"{file.FullName}|{file.Length}|{file.LastWriteTimeUtc.Ticks}"
            : $"{file.FullName}|missing";
    }

    static string Hash(IEnumerable<(string Name, string Value)> fields)
    {
        var text = new StringBuilder();
        // Length-prefixed so no value can forge another field's boundary.
        foreach (var (name, value) in fields)
            text.Append(name).Append('=').Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value).Append('\n');
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))).ToLowerInvariant();
    }

    static string Text(IFormattable? value) => value?.ToString(null, CultureInfo.InvariantCulture) ?? "";
}
