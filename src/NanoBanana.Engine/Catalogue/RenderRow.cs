using System.Globalization;
using NanoBanana.Imaging;
using NanoBanana.Layout;
using NanoBanana.Pipeline;
using NanoBanana.Schedulers;
using NanoBanana.Text;

namespace NanoBanana.Catalogue;

/// <summary>
/// One catalogue row as it reaches the engine from PowerShell: every field is the text of a CSV cell (or of a
/// parameter). PowerShell's own conversion would round 2.5 steps to 2, read an empty cell as 0, and report "ten"
/// as a binding error that names no row; the cmdlet hands such cells over as text instead, and parsing them here
/// turns every bad cell into an error that names the row, the field and the fix.
/// Null or blank means "not given": the default applies (a random seed, 30 steps, the model's scheduler, …).
/// </summary>
public sealed record RenderRow
{
    /// <summary>The look product renders get when the row names none.</summary>
    public const StylePreset DefaultStyle = StylePreset.ExplodedView;

    static readonly TextToImageRequest Defaults = new();

    /// <summary>1-based position in the input, used to name a row that has no <see cref="Name"/>.</summary>
    public int Index { get; init; } = 1;

    public string? Name { get; init; }
    public string? Prompt { get; init; }
    /// <summary>A structured XML parts list (see <see cref="StructuredPrompt"/>), or plain text, appended to the prompt.</summary>
    public string? Parts { get; init; }
    public string? NegativePrompt { get; init; }
    public string? Style { get; init; }
    public string? Seed { get; init; }
    public string? Steps { get; init; }
    public string? CfgScale { get; init; }
    public string? Width { get; init; }
    public string? Height { get; init; }
    public string? Scheduler { get; init; }
    public string? GuidanceBatching { get; init; }
    /// <summary>Chunk or Truncate (<see cref="Text.PromptOverflow"/>).</summary>
    public string? PromptOverflow { get; init; }
    public string? ModelPath { get; init; }

    /// <summary>Knolling, Exploded, Grid or None; blank: from the Style when the row has structured parts
    /// (ExplodedView → Exploded, Knolling → Knolling, TechnicalSchematic → Grid), else None.</summary>
    public string? Layout { get; init; }

    /// <summary>Vertical or Diagonal, for an Exploded layout; blank is Vertical.</summary>
    public string? LayoutAxis { get; init; }

    /// <summary>The laid-out sheet's background colour (#RRGGBB, r,g,b or a name); blank is white.</summary>
    public string? Background { get; init; }

    /// <summary>"true" makes the laid-out sheet's background transparent (RGBA, alpha from the part mask).</summary>
    public string? TransparentBackground { get; init; }

    /// <summary>On or Off (<see cref="Catalogue.RegionalPrompt"/>); blank is On when the row has a layout: each placed
    /// part's count, attributes and name act on its own box (<see cref="NoisePrediction"/>), so CLIP cannot spread one
    /// part's material onto another.</summary>
    public string? RegionalPrompt { get; init; }

    /// <summary>At most this many parts get a region of their own; the rest follow the global prompt (the cost of a step
    /// grows with the regions' area, so a dense sheet stays bounded).</summary>
    public const int MaxRegions = 24;

    /// <summary>Image-to-image strength for a row that starts from an image — its layout's guide, or its
    /// <see cref="InitImage"/> — from 0 (the start image through the VAE) to 1 (from noise, text-to-image); blank is
    /// <see cref="DefaultLayoutStrength"/>. Ignored by rows that have neither.</summary>
    public string? LayoutStrength { get; init; }

    /// <summary>The strength a row with a layout or an init image renders at when it names none. At 0.75 (A1111's
    /// default denoising strength; diffusers' SD img2img default is 0.8) the first quarter of the schedule — where the
    /// composition is decided — comes from the guide, and the model still repaints every surface (help:
    /// New-ExplodedView, -LayoutStrength, for the measurement).</summary>
    public const double DefaultLayoutStrength = 0.75;

    /// <summary>A full path to an image the render starts from (plain image-to-image), of the render's size. On a row with
    /// a layout it replaces the layout's drawn guide; the layout still places the regional prompts and cleans the background.</summary>
    public string? InitImage { get; init; }

    /// <summary>LoRA weights for this row only, "name=weight" pairs separated by commas or semicolons
    /// (e.g. "turbo=0.7; style=0.3"); they override the registered weights for this render.</summary>
    public string? LoraWeight { get; init; }

    /// <summary>How error messages name the row: its product name, else its position.</summary>
    public string Label => Given(Name) ? $"'{Limits.Excerpt.Of(Name!.Trim(), 120)}'" : $"#{Index}";

    /// <summary>
    /// The request this row describes, with its seed fixed (drawn now when the row has none, so the file name,
    /// the metadata and the render all use the same one).
    /// </summary>
    /// <exception cref="RenderRowException">A cell is unparsable or out of range; names the row, the field and the fix.</exception>
    public TextToImageRequest ToRequest()
    {
        var request = new TextToImageRequest
        {
            Prompt = ComposePrompt(),
            NegativePrompt = Given(NegativePrompt) ? NegativePrompt!.Trim() : "",
            Style = ParsedStyle(),
            Seed = Given(Seed) ? ParseInteger(nameof(Seed), Seed!, "a whole number such as 42, or leave it empty for a random seed") : TorchRandom.NewRandomSeed(),
            Steps = Given(Steps) ? (int)ParseInteger(nameof(Steps), Steps!, "a whole number of denoising steps such as 30") : Defaults.Steps,
            CfgScale = Given(CfgScale) ? ParseNumber(nameof(CfgScale), CfgScale!, "a number such as 7.5 (with '.' as the decimal point)") : Defaults.CfgScale,
            Width = ParsedWidth(),
            Height = ParsedHeight(),
            Scheduler = Given(Scheduler) ? Scheduler!.Trim() : null,
            GuidanceBatching = Given(GuidanceBatching)
                ? ParseName<Pipeline.GuidanceBatching>(nameof(GuidanceBatching), GuidanceBatching!, string.Join(" or ", Enum.GetNames<Pipeline.GuidanceBatching>()))
                : Defaults.GuidanceBatching,
            PromptOverflow = Given(PromptOverflow)
                ? ParseName<Text.PromptOverflow>(nameof(PromptOverflow), PromptOverflow!, string.Join(" or ", Enum.GetNames<Text.PromptOverflow>()))
                : Defaults.PromptOverflow,
            LoraWeights = Given(LoraWeight) ? ParseLoraWeights(LoraWeight!) : new Dictionary<string, double>(),
        };
        if (request.FirstProblem() is { } problem) throw new RenderRowException(Label, problem.Field, problem.Message);
        // Planned once the size is known valid; a layout problem names the Parts (or Layout) field.
        var layout = ToLayout();
        var init = ReadInitImage();
        request = request with
        {
            Layout = layout, Background = ParsedBackground(), Regions = RegionsOf(layout), InitImage = init,
            Strength = layout is null && init is null ? 1 : ParsedStrength(),
        };
        if (request.FirstProblem() is { } start) throw new RenderRowException(Label, start.Field, start.Message);
        return request;
    }

    double ParsedStrength()
    {
        if (!Given(LayoutStrength)) return DefaultLayoutStrength;
        const string expected = "a number from 0 to 1 such as 0.75 (0 keeps the start image, 1 renders from noise)";
        double strength = ParseNumber(nameof(LayoutStrength), LayoutStrength!, expected);
        return strength is >= 0 and <= 1 ? strength : throw new RenderRowException(Label, nameof(LayoutStrength), $"{nameof(LayoutStrength)} is '{LayoutStrength}'; use {expected}.");
    }

    /// <summary>The row's init image, read and checked now so a missing or unreadable file fails its row before any render.</summary>
    Pipeline.InitImage? ReadInitImage()
    {
        if (!Given(InitImage)) return null;
        string path = InitImage!.Trim();
        const string fix = "give the path of a PNG or JPEG image of the render's size";
        if (!File.Exists(path)) throw new RenderRowException(Label, nameof(InitImage), $"{nameof(InitImage)} '{path}' does not exist; {fix}.");
        try
        {
            return new Pipeline.InitImage(Path.GetFullPath(path), ImageCodec.Read(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or Limits.InputTooLargeException)
        {
            throw new RenderRowException(Label, nameof(InitImage), $"{nameof(InitImage)} '{path}' cannot be used: {e.Message} Or {fix}.");
        }
    }

    /// <summary>A region per placed part (count, attributes, name over its box), unless RegionalPrompt is Off.</summary>
    IReadOnlyList<PromptRegion> RegionsOf(PartLayout? layout)
    {
        var mode = Given(RegionalPrompt)
            ? ParseName<Catalogue.RegionalPrompt>(nameof(RegionalPrompt), RegionalPrompt!, string.Join(" or ", Enum.GetNames<Catalogue.RegionalPrompt>()))
            : Catalogue.RegionalPrompt.On;
        if (layout is null || mode == Catalogue.RegionalPrompt.Off) return [];
        return layout.Parts.Take(MaxRegions).Select(part =>
        {
            var words = new List<string>();
            if (part.Count > 1) words.Add(part.Count.ToString(CultureInfo.InvariantCulture));
            words.AddRange(part.Attributes.Select(a => a.Value).Where(v => v.Length > 0));
            words.Add(part.Name);
            int x = Math.Max(0, (int)Math.Floor(part.Box.X)), y = Math.Max(0, (int)Math.Floor(part.Box.Y));
            int right = Math.Min(layout.Width, (int)Math.Ceiling(part.Box.X + part.Box.Width)), bottom = Math.Min(layout.Height, (int)Math.Ceiling(part.Box.Y + part.Box.Height));
            return new PromptRegion(string.Join(" ", words), x, y, Math.Max(1, right - x), Math.Max(1, bottom - y));
        }).ToArray();
    }

    /// <summary>The row's part layout at its Width × Height, or null when its layout is None (see <see cref="Layout"/>).</summary>
    /// <exception cref="RenderRowException">Layout, LayoutAxis, Width/Height or Parts are invalid, or the parts do not fit (the message says how many do).</exception>
    public PartLayout? ToLayout()
    {
        var parts = ParsedParts();
        LayoutKind kind = Given(Layout)
            ? ParseName<LayoutKind>(nameof(Layout), Layout!, string.Join(", ", Enum.GetNames<LayoutKind>()))
            : parts.Parts.Count == 0 ? LayoutKind.None : ParsedStyle() switch
            {
                StylePreset.ExplodedView => LayoutKind.Exploded,
                StylePreset.Knolling => LayoutKind.Knolling,
                StylePreset.TechnicalSchematic => LayoutKind.Grid,
                _ => LayoutKind.None,
            };
        var axis = Given(LayoutAxis) ? ParseName<ExplodedAxis>(nameof(LayoutAxis), LayoutAxis!, string.Join(" or ", Enum.GetNames<ExplodedAxis>())) : ExplodedAxis.Vertical;
        if (kind == LayoutKind.None) return null;
        int width = ParsedWidth(), height = ParsedHeight();
        if ((TextToImageRequest.SizeProblem(width, nameof(Width)) ?? TextToImageRequest.SizeProblem(height, nameof(Height))) is { } size)
            throw new RenderRowException(Label, size.Field, size.Message);
        try
        {
            return LayoutPlanner.Plan(parts, kind, width, height, axis);
        }
        catch (LayoutCapacityException e)
        {
            throw new RenderRowException(Label, nameof(Parts), e.Message);
        }
    }

    PartList ParsedParts()
    {
        try
        {
            return PartList.Parse(Given(Parts) ? Parts : null, Given(Name) ? Name : null);
        }
        catch (Exception e) when (e is PartListException or StructuredPromptException)
        {
            throw new RenderRowException(Label, nameof(Parts), e is PartListException ? e.Message : $"{nameof(Parts)}: {e.Message}");
        }
    }

    StylePreset ParsedStyle() =>
        Given(Style) ? ParseName<StylePreset>(nameof(Style), Style!, "one of: " + string.Join(", ", Enum.GetNames<StylePreset>())) : DefaultStyle;

    int ParsedWidth() => Given(Width) ? (int)ParseInteger(nameof(Width), Width!, "a multiple of 64 such as 1024") : Defaults.Width;

    int ParsedHeight() => Given(Height) ? (int)ParseInteger(nameof(Height), Height!, "a multiple of 64 such as 1024") : Defaults.Height;

    SheetBackground ParsedBackground()
    {
        bool transparent = Given(TransparentBackground) && (bool.TryParse(TransparentBackground!.Trim(), out bool t)
            ? t
            : throw new RenderRowException(Label, nameof(TransparentBackground), $"{nameof(TransparentBackground)} is '{TransparentBackground}'; use true or false."));
        try
        {
            return Given(Background) ? SheetBackground.Parse(Background!, transparent) : SheetBackground.White with { Transparent = transparent };
        }
        catch (FormatException e)
        {
            throw new RenderRowException(Label, nameof(Background), e.Message);
        }
    }

    /// <summary>The output file's stem: the sanitised product name, or <c>render-&lt;seed&gt;</c> for a row without one.</summary>
    public string FileStem(long seed) => Imaging.OutputFileName.Sanitize(Name, fallback: $"render-{seed.ToString(CultureInfo.InvariantCulture)}");

    static bool Given(string? cell) => !string.IsNullOrWhiteSpace(cell);

    // Subject first, then the parts: CLIP weighs early tokens most. The parts are joined with commas, so the
    // A1111 chunker (comma backtrack) keeps each part's phrase inside one 75-token window.
    string ComposePrompt()
    {
        string prompt = Given(Prompt) ? Flatten(nameof(Prompt), Prompt!, Limits.InputLimits.MaxPromptCharacters) : "";
        if (!Given(Parts)) return prompt;
        string parts = Flatten(nameof(Parts), Parts!, Limits.InputLimits.MaxPartsCharacters);
        return prompt.Length == 0 ? parts : $"{prompt.TrimEnd().TrimEnd(',')}, {parts}";
    }

    // The raw cell's length is checked before any parsing, so a 50 MB cell costs nothing.
    string Flatten(string field, string text, int maxCharacters)
    {
        if (text.Length > maxCharacters)
            throw new RenderRowException(Label, field, $"{field} is {text.Length:N0} characters, over the limit of {maxCharacters:N0}; shorten it (CLIP reads 75 tokens per window).");
        try
        {
            return StructuredPrompt.Flatten(text.Trim());
        }
        catch (StructuredPromptException e)
        {
            throw new RenderRowException(Label, field, $"{field}: {e.Message}");
        }
    }

    // Names only, case-insensitively: Enum.TryParse would also accept "2" or "1,2", which no CSV author means.
    TEnum ParseName<TEnum>(string field, string text, string choices) where TEnum : struct, Enum
    {
        string? name = Enum.GetNames<TEnum>().FirstOrDefault(n => string.Equals(n, text.Trim(), StringComparison.OrdinalIgnoreCase));
        return name is not null
            ? Enum.Parse<TEnum>(name)
            : throw new RenderRowException(Label, field, $"{field} is '{text}'; use {choices}.");
    }

    long ParseInteger(string field, string text, string expected)
    {
        // Invariant culture: a CSV written on a German machine must not turn "1.000" into one thousand.
        if (long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
            && (field == nameof(Seed) || value is >= int.MinValue and <= int.MaxValue))
            return value;
        throw new RenderRowException(Label, field, $"{field} is '{text}'; use {expected}.");
    }

    Dictionary<string, double> ParseLoraWeights(string text)
    {
        var weights = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        foreach (string pair in text.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int separator = pair.IndexOfAny(['=', ':']);
            if (separator <= 0)
                throw new RenderRowException(Label, nameof(LoraWeight), $"{nameof(LoraWeight)} has '{pair}'; write name=weight pairs such as 'turbo=0.7; style=0.3'.");
            weights[pair[..separator].Trim()] = ParseNumber(nameof(LoraWeight), pair[(separator + 1)..], "a number such as 0.8 after the LoRA's name");
        }
        return weights;
    }

    double ParseNumber(string field, string text, string expected) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
            ? value
            : throw new RenderRowException(Label, field, $"{field} is '{text}'; use {expected}.");
}
