using System.Globalization;

namespace NanoBanana.Lora;

/// <summary>A LoRA file parsed into its per-module low-rank deltas. Name becomes the scale input's name.</summary>
public sealed class LoraAdapter
{
    public LoraAdapter(string name, LoraKeyFormat format, IReadOnlyList<LoraTarget> targets)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A LoRA adapter needs a name.", nameof(name));
        Name = name;
        Format = format;
        Targets = targets;
    }

    public string Name { get; }

    public LoraKeyFormat Format { get; }

    public IReadOnlyList<LoraTarget> Targets { get; }

    /// <summary>Loads a kohya or PEFT LoRA; the format is detected from the key names.</summary>
    public static LoraAdapter Load(string path, string? name = null)
    {
        using var file = SafetensorsFile.Open(path);
        return Parse(file, name ?? Path.GetFileNameWithoutExtension(path));
    }

    private static readonly (string Prefix, LoraComponent Component)[] KohyaPrefixes =
    {
        ("lora_unet_", LoraComponent.Unet), ("lora_te1_", LoraComponent.TextEncoder),
        ("lora_te2_", LoraComponent.TextEncoder2), ("lora_te_", LoraComponent.TextEncoder),
    };

    private static readonly (string Prefix, LoraComponent Component)[] PeftPrefixes =
    {
        ("unet.", LoraComponent.Unet), ("text_encoder_2.", LoraComponent.TextEncoder2), ("text_encoder.", LoraComponent.TextEncoder),
    };

    public static LoraAdapter Parse(SafetensorsFile file, string name)
    {
        bool kohya = file.Tensors.Keys.Any(k => k.EndsWith(".lora_down.weight", StringComparison.Ordinal));
        bool peft = file.Tensors.Keys.Any(k => k.EndsWith(".lora_A.weight", StringComparison.Ordinal));
        if (kohya == peft)
            throw new InvalidDataException(kohya
                ? $"'{file.Path}' mixes kohya (lora_down/lora_up) and PEFT (lora_A/lora_B) keys; split it into one file per format."
                : $"'{file.Path}' has no LoRA weights (no '.lora_down.weight' or '.lora_A.weight' keys); is it a full checkpoint rather than a LoRA?");

        var format = kohya ? LoraKeyFormat.Kohya : LoraKeyFormat.Peft;
        string downSuffix = kohya ? ".lora_down.weight" : ".lora_A.weight";
        string upSuffix = kohya ? ".lora_up.weight" : ".lora_B.weight";
        var targets = new List<LoraTarget>();
        foreach (string downKey in file.Tensors.Keys.Where(k => k.EndsWith(downSuffix, StringComparison.Ordinal)).OrderBy(k => k, StringComparer.Ordinal))
        {
            string stem = downKey[..^downSuffix.Length];
            var (component, moduleKey) = SplitComponent(file.Path, stem, kohya ? KohyaPrefixes : PeftPrefixes);
            string upKey = stem + upSuffix;
            if (!file.Tensors.TryGetValue(upKey, out var upInfo))
                throw new InvalidDataException($"'{file.Path}': '{downKey}' has no matching '{upKey}'. The LoRA file is incomplete.");
            var downInfo = file.Tensors[downKey];
            var kind = CheckShapes(file.Path, downKey, downInfo.Shape, upKey, upInfo.Shape);
            int rank = downInfo.Shape[0] <= 65536 && downInfo.ElementCount > 0 ? (int)downInfo.Shape[0]
                : throw new InvalidDataException($"'{file.Path}': '{downKey}' [{string.Join(",", downInfo.Shape)}] is not a LoRA factor (rank 1 to 65536, no empty dimension). Re-export the LoRA.");
            float alpha = ReadAlpha(file, stem, kohya, rank);
            targets.Add(new LoraTarget(component, moduleKey, stem, ReadFinite(file, downKey), downInfo.Shape,
                ReadFinite(file, upKey), upInfo.Shape, alpha, rank, kind));
        }
        return new LoraAdapter(name, format, targets);
    }

    private static (LoraComponent, string) SplitComponent(string path, string stem, (string Prefix, LoraComponent Component)[] prefixes)
    {
        foreach (var (prefix, component) in prefixes)
            if (stem.StartsWith(prefix, StringComparison.Ordinal)) return (component, stem[prefix.Length..]);
        // Older diffusers LoRAs for the UNet carry no "unet." prefix at all.
        if (prefixes == PeftPrefixes) return (LoraComponent.Unet, stem);
        throw new InvalidDataException($"'{path}': key '{stem}' has an unknown prefix; expected one of {string.Join(", ", prefixes.Select(p => p.Prefix))}.");
    }

    private static LoraLayerKind CheckShapes(string path, string downKey, long[] down, string upKey, long[] up)
    {
        bool linear = down.Length == 2 && up.Length == 2;
        bool conv = down.Length == 4 && up.Length == 4 && up[2] == 1 && up[3] == 1;
        if ((!linear && !conv) || down[0] != up[1] || down[0] <= 0)
            throw new InvalidDataException(
                $"'{path}': '{downKey}' [{string.Join(",", down)}] and '{upKey}' [{string.Join(",", up)}] are not a LoRA pair " +
                "(expected down [r,in] / up [out,r], or down [r,in,kh,kw] / up [out,r,1,1]).");
        return linear ? LoraLayerKind.Linear : LoraLayerKind.Conv;
    }

    private static float ReadAlpha(SafetensorsFile file, string stem, bool kohya, int rank)
    {
        if (kohya && file.Tensors.ContainsKey(stem + ".alpha"))
        {
            var alpha = ReadFinite(file, stem + ".alpha");
            if (alpha.Length != 1) throw new InvalidDataException($"'{file.Path}': '{stem}.alpha' must be a scalar.");
            return alpha[0];
        }
        // PEFT keeps alpha in metadata (lora_alpha, or a per-module override); without it, alpha = rank (scale 1).
        if (file.Metadata.TryGetValue("lora_alpha", out var text)
            && float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float fromMetadata))
            return float.IsFinite(fromMetadata) ? fromMetadata
                : throw new InvalidDataException($"'{file.Path}': lora_alpha in __metadata__ is {text}. A NaN or infinite alpha would make every render black; fix the metadata or re-export the LoRA.");
        return rank;
    }

    /// <summary>A tensor's values, refused when any is NaN or infinite: such a LoRA turns every render black.</summary>
    private static float[] ReadFinite(SafetensorsFile file, string key)
    {
        var values = file.ReadFloats(key);
        int bad = Limits.FiniteValues.FirstNonFinite(values);
        return bad < 0 ? values
            : throw new InvalidDataException($"'{file.Path}': tensor '{key}' holds {values[bad]} at element {bad}. A NaN or infinite LoRA weight would make every render black; re-export the LoRA (it may have diverged in training).");
    }
}
