using System.Text.Json;

namespace NanoBanana.Engine.Tests.Parity;

/// <summary>
/// The committed reference fixtures (Parity/Fixtures, see its README.md): two tiny pipelines built in diffusers
/// 0.26.3 with seeded random weights, exported by Optimum 1.17.1's own exporter and left exactly as it wrote them,
/// and the PNGs diffusers rendered from them, one per case in cases.json.
/// </summary>
public static class DiffusersFixtures
{
    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "Parity", "Fixtures");

    public static string Sdxl => Path.Combine(Root, "sdxl-tiny");

    public static string Sd15 => Path.Combine(Root, "sd15-tiny");

    /// <summary>One diffusers render: what it was asked and what it logged.</summary>
    public sealed record Case(string Id, string Model, string Prompt, string? NegativePrompt, long Seed, int Steps, double Guidance,
        string Scheduler, int Width, int Height, bool Truncated, IReadOnlyList<string> Warnings)
    {
        public string ModelFolder => Path.Combine(Root, Model);

        public string Png => Path.Combine(Root, "ref", Id + ".png");

        /// <summary>The engine's name for the sampler diffusers used (render_refs.py's SCHEDULERS).</summary>
        public string EngineScheduler => Scheduler switch
        {
            "DPMSolverMultistepKarras" => "DpmPlusPlus2MKarras",
            var name => name,
        };

        public override string ToString() => Id;
    }

    public static IReadOnlyDictionary<string, Case> Cases { get; } = Load();

    static Dictionary<string, Case> Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "cases.json")));
        var cases = new Dictionary<string, Case>(StringComparer.Ordinal);
        foreach (var c in document.RootElement.GetProperty("cases").EnumerateArray())
        {
            string id = c.GetProperty("case").GetString()!;
            cases[id] = new Case(id, c.GetProperty("model").GetString()!, c.GetProperty("prompt").GetString()!,
                c.GetProperty("negative_prompt").ValueKind == JsonValueKind.Null ? null : c.GetProperty("negative_prompt").GetString(),
                c.GetProperty("seed").GetInt64(), c.GetProperty("steps").GetInt32(), c.GetProperty("guidance").GetDouble(),
                c.GetProperty("scheduler").GetString()!, c.GetProperty("width").GetInt32(), c.GetProperty("height").GetInt32(),
                c.GetProperty("truncated").GetBoolean(), c.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToArray());
        }
        return cases;
    }
}
