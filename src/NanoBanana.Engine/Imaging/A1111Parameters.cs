using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace NanoBanana.Imaging;

/// <summary>
/// The "parameters" text AUTOMATIC1111's web UI stores in PNGs, so its PNG Info tab, other tools and this
/// module read each other's images. Layout: the prompt (any number of lines), then
/// "Negative prompt: …" (omitted when empty), then one line of "Key: value" pairs. Values containing
/// ',', ':' or a line break are JSON-quoted, as A1111's <c>quote()</c> does; parsing follows its
/// <c>parse_generation_parameters</c> (the last line counts as the pairs line when it holds 3 or more pairs).
/// </summary>
public static partial class A1111Parameters
{
    private const string NegativePrefix = "Negative prompt:";
    private const string LoraKey = "Lora weights";

    [GeneratedRegex(@"^(\d+)x(\d+)$")]
    private static partial Regex SizePattern();

    public static string Format(GenerationParameters p)
    {
        var pairs = new List<(string Key, string Value)>();
        if (p.Steps is int steps) pairs.Add(("Steps", Invariant(steps)));
        if (p.Sampler is { Length: > 0 } sampler) pairs.Add(("Sampler", sampler));
        if (p.CfgScale is double cfg) pairs.Add(("CFG scale", Invariant(cfg)));
        if (p.Seed is long seed) pairs.Add(("Seed", Invariant(seed)));
        if (p.Width is int w && p.Height is int h) pairs.Add(("Size", $"{Invariant(w)}x{Invariant(h)}"));
        if (p.Model is { Length: > 0 } model) pairs.Add(("Model", model));
        if (p.LoraWeights.Count > 0)
            pairs.Add((LoraKey, string.Join(", ", p.LoraWeights.Select(kv => $"{kv.Key}: {Invariant(kv.Value)}"))));
        pairs.AddRange(p.Extra.Select(kv => (kv.Key, kv.Value)));

        var text = new StringBuilder(p.Prompt);
        if (p.NegativePrompt.Length > 0) text.Append('\n').Append(NegativePrefix).Append(' ').Append(p.NegativePrompt);
        if (pairs.Count > 0) text.Append('\n').AppendJoin(", ", pairs.Select(kv => $"{kv.Key}: {Quote(kv.Value)}"));
        return text.ToString();
    }

    public static GenerationParameters Parse(string text)
    {
        var result = new GenerationParameters();
        var lines = text.Trim().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (lines.Count == 0) return result;

        var pairs = A1111PairScanner.Scan(lines[^1]);
        if (IsPairsLine(lines[^1], pairs)) lines.RemoveAt(lines.Count - 1);
        else pairs = [];

        var prompt = new StringBuilder();
        var negative = new StringBuilder();
        bool inNegative = false;
        foreach (var raw in lines)
        {
            string line = raw.Trim();
            if (line.StartsWith(NegativePrefix, StringComparison.Ordinal))
            {
                inNegative = true;
                line = line[NegativePrefix.Length..].TrimStart();
            }
            var target = inNegative ? negative : prompt;
            if (target.Length > 0) target.Append('\n');
            target.Append(line);
        }
        result.Prompt = prompt.ToString();
        result.NegativePrompt = negative.ToString();

        foreach (var pair in pairs)
            Apply(result, pair.Key.Trim(), Unquote(pair.Value.Trim()));
        return result;
    }

    /// <summary>
    /// A1111's rule (3 or more pairs), widened so this module's own short lines (e.g. only "Seed: 42")
    /// read back too: a line made entirely of pairs whose keys this module writes.
    /// </summary>
    private static bool IsPairsLine(string line, List<A1111PairScanner.Pair> pairs) =>
        pairs.Count >= 3
        || (pairs.Count > 0 && pairs.Sum(m => m.Length) >= line.TrimEnd().Length
            && pairs.All(m => KnownKeys.Contains(m.Key.Trim())));

    private static readonly HashSet<string> KnownKeys = new(StringComparer.Ordinal)
    {
        "Steps", "Sampler", "CFG scale", "Seed", "Size", "Model", LoraKey, "Sharpness", "Upscaler", "Upscale",
    };

    private static void Apply(GenerationParameters p, string key, string value)
    {
        switch (key)
        {
            case "Steps" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int steps):
                p.Steps = steps;
                break;
            case "Sampler":
                p.Sampler = value;
                break;
            case "CFG scale" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double cfg):
                p.CfgScale = cfg;
                break;
            case "Seed" when long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long seed):
                p.Seed = seed;
                break;
            case "Size" when SizePattern().Match(value) is { Success: true } size
                && int.TryParse(size.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int width)
                && int.TryParse(size.Groups[2].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int height):
                p.Width = width;
                p.Height = height;
                break;
            case "Model":
                p.Model = value;
                break;
            case LoraKey when TryParseLoraWeights(value, p):
                break;
            default:
                p.SetExtra(key, value);
                break;
        }
    }

    private static bool TryParseLoraWeights(string value, GenerationParameters p)
    {
        var parsed = new List<(string, double)>();
        foreach (var entry in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int colon = entry.LastIndexOf(':');
            if (colon <= 0 || !double.TryParse(entry[(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double weight))
                return false;
            parsed.Add((entry[..colon].Trim(), weight));
        }
        foreach (var (name, weight) in parsed) p.LoraWeights[name] = weight;
        return true;
    }

    /// <summary>A1111's quote(): JSON-quote values that would break the pairs line.</summary>
    private static string Quote(string value) =>
        value.IndexOfAny([',', '\n', ':']) < 0 ? value : JsonSerializer.Serialize(value, QuoteOptions);

    private static string Unquote(string value)
    {
        if (value.Length < 2 || value[0] != '"' || value[^1] != '"') return value;
        try
        {
            return JsonSerializer.Deserialize<string>(value) ?? value;
        }
        catch (JsonException)
        {
            return value;
        }
    }

    private static readonly JsonSerializerOptions QuoteOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
}
