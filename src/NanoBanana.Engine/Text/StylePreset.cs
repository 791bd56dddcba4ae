namespace NanoBanana.Text;

/// <summary>Product-visualisation looks that add a fixed vocabulary to the prompt and a negative prompt
/// against the failure modes of that look.</summary>
public enum StylePreset
{
    /// <summary>The prompt is used as written.</summary>
    None,

    /// <summary>Knolling: every part laid flat, aligned at right angles and evenly spaced, seen from above on white.</summary>
    Knolling,

    /// <summary>Exploded view: the assembly's parts pulled apart along one axis, in assembly order.</summary>
    ExplodedView,

    /// <summary>Technical schematic: clean line art with callouts and annotations, as in a manual.</summary>
    TechnicalSchematic,
}

/// <summary>Applies a <see cref="StylePreset"/> to a prompt pair.</summary>
public static class StylePresets
{
    sealed record Vocabulary(string Prompt, string Negative);

    // Style words go after the subject: CLIP weighs early tokens most, and the subject should dominate.
    // The negatives name what each look typically gets wrong (overlap and clutter break knolling,
    // merged parts break an exploded view, shading and photo texture break line art).
    static readonly Dictionary<StylePreset, Vocabulary> Vocabularies = new()
    {
        [StylePreset.Knolling] = new(
            "knolling, flat lay, top-down view, parts arranged in a neat grid, evenly spaced, aligned at right angles, isolated on a plain white background, soft even lighting",
            "overlapping parts, clutter, messy, piled, stacked, cropped parts, perspective view, harsh shadows, busy background, text, watermark"),
        [StylePreset.ExplodedView] = new(
            "exploded view, components separated along a single axis, parts floating in assembly order, evenly spaced gaps, clean studio background, product render",
            "overlapping parts, merged components, fused parts, assembled, clutter, missing parts, busy background, text, watermark"),
        [StylePreset.TechnicalSchematic] = new(
            "technical schematic, precise black line art, orthographic drawing, annotations, callout labels, dimension lines, white background, blueprint style",
            "photograph, photorealistic, shading, gradients, color noise, blurry lines, clutter, overlapping labels, watermark"),
    };

    /// <summary>
    /// Appends the preset's vocabulary to <paramref name="prompt"/> and its default negatives to
    /// <paramref name="negativePrompt"/> (after any the user gave). <see cref="StylePreset.None"/> returns both unchanged.
    /// </summary>
    public static (string Prompt, string NegativePrompt) Apply(this StylePreset preset, string prompt, string negativePrompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(negativePrompt);
        if (preset == StylePreset.None) return (prompt, negativePrompt);
        if (!Vocabularies.TryGetValue(preset, out var vocabulary))
            throw new ArgumentOutOfRangeException(nameof(preset), preset, "Unknown style preset.");
        return (Join(prompt, vocabulary.Prompt), Join(negativePrompt, vocabulary.Negative));
    }

    static string Join(string text, string addition)
    {
        string trimmed = text.Trim().TrimEnd(',').TrimEnd();
        return trimmed.Length == 0 ? addition : $"{trimmed}, {addition}";
    }
}
