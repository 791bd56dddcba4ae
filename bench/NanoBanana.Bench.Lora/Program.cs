using System.Diagnostics;
using NanoBanana;
using NanoBanana.Lora;
using NanoBanana.Pipeline;
using NanoBanana.Synthetic;

// Usage: dotnet run -c Release --project bench/NanoBanana.Bench.Lora [renders]
// Renders through the engine (New-ExplodedView's path) on the forge Small SDXL with a rank-16 LoRA on every
// attention, feed-forward and 3×3 conv layer: renders at a fixed weight against renders whose weight changes
// every time, alternated so that load elsewhere on the machine falls on both.
int renders = args.Length > 0 ? int.Parse(args[0]) : 4;
string folder = Directory.CreateTempSubdirectory("nb-bench-lora-").FullName;
try
{
    string model = SyntheticModelBuilder.Create(Path.Combine(folder, "small-sdxl"), new SyntheticModelOptions { Size = SyntheticModelSize.Small, Seed = 1 }).Folder;
    string lora = Path.Combine(folder, "style.safetensors");
    int modules = SyntheticLora.Create(model, lora, rank: 16, LoraKeyFormat.Kohya, seed: 2);
    using var engine = new NanoBananaEngine(new EngineOptions { UserDataDirectory = Path.Combine(folder, "home") });
    engine.SetLora(lora, "style", 0.8);
    var request = new TextToImageRequest { Prompt = "knolling of a coffee grinder", Seed = 1, Steps = 8, Width = 256, Height = 256 };

    double Render(double? weight)
    {
        var clock = Stopwatch.StartNew();
        engine.Render(model, weight is double w ? request with { LoraWeights = new Dictionary<string, double> { ["style"] = w } } : request);
        return clock.Elapsed.TotalMilliseconds;
    }
    Render(null); // warm-up: sessions created with the branches, first-run allocations
    var fixedTimes = new List<double>();
    var switchingTimes = new List<double>();
    for (int i = 0; i < renders; i++)
    {
        fixedTimes.Add(Render(null));
        switchingTimes.Add(Render(i % 2 == 0 ? 0.4 : 1.2));
    }
    var scaleClock = Stopwatch.StartNew();
    for (int i = 0; i < 1000; i++) engine.Loras.Select(new Dictionary<string, double> { ["style"] = i * 0.001 });
    double switchUs = scaleClock.Elapsed.TotalMilliseconds; // per 1000 → µs each
    int unetLoads = engine.LoadCounts(model)["unet/model.onnx"];

    var mergeClock = Stopwatch.StartNew();
    LoraMerger.WriteMergedModel(model, [LoraAdapter.Load(lora)], [1.2f], Path.Combine(folder, "merged"));
    double mergeMs = mergeClock.Elapsed.TotalMilliseconds;

    double fixedMs = fixedTimes.Average(), switchingMs = switchingTimes.Average();
    Console.WriteLine($"forge Small SDXL, {request.Width}x{request.Height}, {request.Steps} steps, CFG {request.CfgScale}; LoRA rank 16 on {modules} layers; ORT CPU, {Environment.ProcessorCount} cores; {renders} renders each");
    Console.WriteLine("| measure | value |");
    Console.WriteLine("|---|---|");
    Console.WriteLine($"| render, weight fixed at 0.8 (mean) | {fixedMs:F0} ms |");
    Console.WriteLine($"| render, weight changed before each render, 0.4 / 1.2 (mean) | {switchingMs:F0} ms |");
    Console.WriteLine($"| cost of switching: difference / fixed render | {(switchingMs - fixedMs) / fixedMs * 100:+0.0;-0.0} % |");
    Console.WriteLine($"| the switch itself (weights for a render) | {switchUs:F1} µs |");
    Console.WriteLine($"| UNet session loads over {2 * renders + 1} renders | {unetLoads} |");
    Console.WriteLine($"| merged alternative: write a merged UNet for one weight | {mergeMs:F0} ms (plus a new session) |");
}
finally
{
    Directory.Delete(folder, recursive: true);
}
