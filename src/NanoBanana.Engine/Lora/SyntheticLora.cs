using System.Globalization;
using NanoBanana.Onnx;

namespace NanoBanana.Lora;

/// <summary>
/// Writes a random but well-formed LoRA whose keys are the real module names of a given model,
/// in kohya or PEFT spelling, for tests and for trying the pipeline without a downloaded LoRA.
/// </summary>
public static class SyntheticLora
{
    /// <summary>Attention projections, feed-forward layers and 3×3 convolutions (the UNet's), and the text encoders'
    /// attention and MLP projections: what real SD LoRAs train.</summary>
    public static bool DefaultTargets(LoraModuleSite site) =>
        site.ModulePath.EndsWith(".to_q") || site.ModulePath.EndsWith(".to_k") || site.ModulePath.EndsWith(".to_v")
        || site.ModulePath.EndsWith(".to_out.0") || site.ModulePath.Contains(".ff.net.")
        || site.ModulePath.EndsWith("_proj") || site.ModulePath.EndsWith(".mlp.fc1") || site.ModulePath.EndsWith(".mlp.fc2")
        || (site.IsConv && site.KernelHeight == 3 && site.KernelWidth == 3);

    /// <summary>What <see cref="CreateWithReference"/> wrote.</summary>
    public sealed record Result(string Path, int ModuleCount, string? MergedModelPath);

    /// <summary>
    /// New-SyntheticLora: a random LoRA for <paramref name="modelFolder"/>'s <paramref name="component"/> and, when
    /// <paramref name="mergedFolder"/> is given, an offline merged copy of that component at <paramref name="mergeWeight"/>
    /// for comparison (the runtime never merges).
    /// </summary>
    public static Result CreateWithReference(string modelFolder, string path, int rank, LoraKeyFormat format, int seed, LoraComponent component,
        string? mergedFolder, double mergeWeight, bool overwrite)
    {
        if (rank < 1) throw new ArgumentOutOfRangeException(nameof(rank), rank, "The rank must be at least 1 (4 to 128 is typical).");
        int modules = Create(modelFolder, path, rank, format, seed, component: component, overwrite: overwrite);
        string? merged = mergedFolder is null ? null
            : LoraMerger.WriteMergedModel(modelFolder, [LoraAdapter.Load(path)], [(float)mergeWeight], mergedFolder, component);
        return new Result(System.IO.Path.GetFullPath(path), modules, merged);
    }

    /// <returns>The number of modules written.</returns>
    public static int Create(string modelFolder, string path, int rank, LoraKeyFormat format, int seed,
        Func<LoraModuleSite, bool>? targets = null, LoraComponent component = LoraComponent.Unet, bool overwrite = true)
    {
        var model = OnnxModelFile.Load(Path.Combine(modelFolder, LoraMerger.PartFolder(component), "model.onnx"));
        var random = new Random(seed);
        float alpha = rank / 2f; // alpha ≠ rank so the alpha/rank scale is exercised
        var tensors = new List<(string, long[], float[])>();
        var sites = LoraTargetMapper.FindSites(model.Graph).Values.Where(targets ?? DefaultTargets).OrderBy(s => s.ModulePath, StringComparer.Ordinal).ToList();
        foreach (var site in sites)
        {
            long kh = site.KernelHeight, kw = site.KernelWidth;
            long[] downShape = site.IsConv ? new[] { rank, site.InFeatures, kh, kw } : new[] { (long)rank, site.InFeatures };
            long[] upShape = site.IsConv ? new[] { site.OutFeatures, rank, 1L, 1L } : new[] { site.OutFeatures, (long)rank };
            float downRange = 1f / MathF.Sqrt(site.InFeatures * kh * kw);
            string stem = format == LoraKeyFormat.Kohya
                ? KohyaPrefix(component) + site.ModulePath.Replace('.', '_')
                : PeftPrefix(component) + site.ModulePath;
            tensors.Add((stem + (format == LoraKeyFormat.Kohya ? ".lora_down.weight" : ".lora_A.weight"), downShape, Random(random, downShape, downRange)));
            tensors.Add((stem + (format == LoraKeyFormat.Kohya ? ".lora_up.weight" : ".lora_B.weight"), upShape, Random(random, upShape, 0.5f)));
            if (format == LoraKeyFormat.Kohya) tensors.Add((stem + ".alpha", Array.Empty<long>(), new[] { alpha }));
        }
        var metadata = format == LoraKeyFormat.Peft
            ? new Dictionary<string, string> { ["lora_alpha"] = alpha.ToString(CultureInfo.InvariantCulture), ["r"] = rank.ToString(CultureInfo.InvariantCulture) }
            : new Dictionary<string, string> { ["ss_network_dim"] = rank.ToString(CultureInfo.InvariantCulture) };
        SafetensorsWriter.Write(path, tensors, metadata, overwrite);
        return sites.Count;
    }

    private static string KohyaPrefix(LoraComponent c) => c switch
    {
        LoraComponent.TextEncoder => "lora_te1_", LoraComponent.TextEncoder2 => "lora_te2_", _ => "lora_unet_",
    };

    private static string PeftPrefix(LoraComponent c) => c switch
    {
        LoraComponent.TextEncoder => "text_encoder.", LoraComponent.TextEncoder2 => "text_encoder_2.", _ => "unet.",
    };

    private static float[] Random(Random random, long[] shape, float range)
    {
        var values = new float[shape.Aggregate(1L, (a, d) => a * d)];
        for (int i = 0; i < values.Length; i++) values[i] = (random.NextSingle() * 2 - 1) * range;
        return values;
    }
}
