using System.Globalization;
using NanoBanana.Imaging;
using NanoBanana.Pipeline;
using NanoBanana.Schedulers;
using NanoBanana.Text;

namespace NanoBanana.Catalogue;

/// <summary>
/// One catalogue row as it reaches the engine from PowerShell: every field is the text of a CSV cell (or of a
/// parameter). PowerShell silently skips a by-property-name binding whose type conversion fails, so a typed
/// <c>-Steps</c> would render a row with "ten" in its Steps column at the default instead of reporting it;
/// taking text and parsing it here turns every bad cell into an error that names the row, the field and the fix.
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

    /// <summary>LoRA weights for this row only, "name=weight" pairs separated by commas or semicolons
    /// (e.g. "turbo=0.7; style=0.3"); they override Set-LoraWeight's for this render.</summary>
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
            Style = Given(Style) ? ParseName<StylePreset>(nameof(Style), Style!, "one of: " + string.Join(", ", Enum.GetNames<StylePreset>())) : DefaultStyle,
            Seed = Given(Seed) ? ParseInteger(nameof(Seed), Seed!, "a whole number such as 42, or leave it empty for a random seed") : TorchRandom.NewRandomSeed(),
            Steps = Given(Steps) ? (int)ParseInteger(nameof(Steps), Steps!, "a whole number of denoising steps such as 30") : Defaults.Steps,
            CfgScale = Given(CfgScale) ? ParseNumber(nameof(CfgScale), CfgScale!, "a number such as 7.5 (with '.' as the decimal point)") : Defaults.CfgScale,
            Width = Given(Width) ? (int)ParseInteger(nameof(Width), Width!, "a multiple of 64 such as 1024") : Defaults.Width,
            Height = Given(Height) ? (int)ParseInteger(nameof(Height), Height!, "a multiple of 64 such as 1024") : Defaults.Height,
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
        return request;
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
