using System.Diagnostics;
using System.Globalization;
using NanoBanana;
using NanoBanana.Bench;
using NanoBanana.Imaging;
using NanoBanana.Imaging.Upscaling;
using NanoBanana.Models;
using NanoBanana.Pipeline;
using NanoBanana.Runtime;
using NanoBanana.Synthetic;
using NanoBanana.Unet;

// dotnet run -c Release --project bench/NanoBanana.Bench -- sharpness | upscale | upscayl | forge [SDXL|SD15] [Float16|Float32]
//     | memory [model folder] [Balanced budget MiB] [Low budget MiB] | segment-load <model folder> <Balanced budget MiB>
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
string root = Measure.RepositoryRoot();
string modelDirectory = Path.Combine(root, "artifacts", "module", "NanoBanana", "Models");
using var engine = new NanoBananaEngine(new EngineOptions { UpscaleModelDirectories = new[] { modelDirectory }, UserDataDirectory = Path.Combine(root, ".cache", "bench") });

switch (args.FirstOrDefault())
{
    case "sharpness":
        Sharpness();
        break;
    case "upscale":
        Upscale();
        break;
    case "upscale-run":
        UpscaleRun(args[1], int.Parse(args[2]), int.Parse(args[3]), int.Parse(args[4]));
        break;
    case "upscayl":
        UpscaylComparison();
        break;
    case "memory":
        MemoryModes(args.Length > 1 ? args[1] : Path.Combine(root, ".cache", "bench", "forge-sdxl-full-float32"),
            args.Length > 2 ? int.Parse(args[2]) : 4608, args.Length > 3 ? int.Parse(args[3]) : 2816);
        break;
    case "memory-run":
        MemoryRun(args[1], Enum.Parse<MemoryMode>(args[2]), long.Parse(args[3]), int.Parse(args[4]), int.Parse(args[5]));
        break;
    case "segment-load":
        SegmentLoad(args[1], long.Parse(args[2]));
        break;
    case "forge":
        ForgeFull(args.Length > 1 ? args[1] : "SDXL", args.Length > 2 ? args[2] : "Float16");
        break;
    default:
        Console.Error.WriteLine("usage: NanoBanana.Bench sharpness | upscale | upscayl | forge [SDXL|SD15] [Float16|Float32] | memory [folder] [MiB] [MiB] | segment-load <folder> <MiB>");
        return 2;
}
return 0;

void Sharpness()
{
    const int size = 2048;
    var image = Scene.Noise(size, size);
    var fast = new byte[image.Pixels.Length];
    double megapixels = size * size / 1e6;
    var fastTime = Measure.Best(5, () => PillowSharpness.Apply(image.Pixels, fast, size, size, 2f));
    byte[] naive = Array.Empty<byte>();
    var naiveTime = Measure.Best(2, () => naive = NaivePillowSharpness.Apply(image.Pixels, size, size, 2f));
    Console.WriteLine($"Optimize-Sharpness {size}x{size} RGBA, factor 2, {Environment.ProcessorCount} cores");
    Console.WriteLine($"  engine (lookup tables, row-parallel): {megapixels / fastTime.TotalSeconds,8:F1} MP/s ({fastTime.TotalMilliseconds:F1} ms)");
    Console.WriteLine($"  naive per-pixel float version:        {megapixels / naiveTime.TotalSeconds,8:F1} MP/s ({naiveTime.TotalMilliseconds:F1} ms)");
    Console.WriteLine($"  speed-up: {naiveTime / fastTime:F1}x; outputs identical: {fast.AsSpan().SequenceEqual(naive)}");
}

void Upscale()
{
    Console.WriteLine($"Invoke-Upscale on the CPU ({Environment.ProcessorCount} cores), each row a fresh process (peak = its VmHWM)");
    Console.WriteLine("  model              input      tile  scale   seconds    MP/s(in)  peak MiB");
    foreach (var (model, size, tile, scale) in new[]
    {
        ("realesrgan-x4fast", 256, 256, 4), ("realesrgan-x4fast", 1024, 1024, 4), ("realesrgan-x4fast", 1024, 256, 4),
        ("realesrgan-x4fast", 1024, 256, 2), ("realesrgan-x4fast", 4096, 256, 2), ("realesrgan-x4plus", 256, 256, 4),
    })
    {
        Console.WriteLine("  " + Measure.Child("upscale-run", model, size.ToString(), tile.ToString(), scale.ToString()));
    }
}

void MemoryModes(string folder, int balancedMiB, int lowMiB)
{
    Console.WriteLine($"UNet memory modes on {folder} (CPU, {Environment.ProcessorCount} cores; each row a fresh process; peak = its VmHWM)");
    Console.WriteLine("  Peak: 1024x1024, 1 step with CFG (2 UNet runs). Time: 512x512, 2 steps with CFG after a warm-up step.");
    Console.WriteLine("  mode      budget MiB  segments  peak MiB  estimate MiB  est/peak  s(1024, loads+1 step)  s/step(512)");
    foreach (var (mode, budget) in new[] { (MemoryMode.Full, 0), (MemoryMode.Balanced, balancedMiB), (MemoryMode.Low, lowMiB) })
    {
        string peak = Measure.Child("memory-run", folder, mode.ToString(), budget.ToString(), "1024", "1");
        string time = Measure.Child("memory-run", folder, mode.ToString(), budget.ToString(), "512", "2");
        Console.WriteLine($"  {mode,-9} {(budget == 0 ? "none" : budget.ToString()),10}  {peak}  {time.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]}");
    }
}

// One mode in this process: the engine's UNet runner for the mode, driven with CFG (two batch-1 passes per step).
void MemoryRun(string folder, MemoryMode mode, long budgetMiB, int size, int steps)
{
    long? budget = budgetMiB > 0 ? budgetMiB << 20 : null;
    engine.OpenSession(new EngineSessionOptions { ModelPath = folder, MemoryMode = mode, BudgetBytes = budget });
    var request = new TextToImageRequest { Prompt = "bench", Width = size, Height = size };
    var pipeline = engine.GetPipeline(folder, request);
    var inputs = RandomUnetInputs(pipeline.Model[DiffusionModel.Unet], size);
    void Step() => pipeline.Unet.Run([inputs, inputs], CancellationToken.None);
    if (steps > 1) Step(); // warm-up: first loads and ORT's allocation planning
    var clock = Stopwatch.StartNew();
    for (int i = 0; i < steps; i++) Step();
    double perStep = clock.Elapsed.TotalSeconds / steps;
    // The UNet phase only (no text encoders, no VAE in this run): the planner's estimate for that phase.
    var estimate = engine.Session.PolicyFor(pipeline.Model, request).Estimate();
    int segments = pipeline.Unet is SegmentedUnetRunner runner ? runner.Segments.Count : 1;
    double peak = Measure.PeakMiB(), estimated = estimate.UnetPhasePeakBytes / 1048576.0;
    Console.WriteLine($"{segments,8}  {peak,8:F0}  {estimated,12:F0}  {estimated / peak,8:F2}  {perStep,11:F1}");
}

// One SDXL UNet step's inputs at a size (batch 1), seeded.
static UnetInputs RandomUnetInputs(ModelComponent unet, int size)
{
    int context = unet.Input("encoder_hidden_states").Dimensions[2], pooledDim = unet.Input("text_embeds").Dimensions[1], latent = size / 8;
    var random = new Random(1);
    float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    return new UnetInputs(Values(4 * latent * latent), [1, 4, latent, latent], 500, Values(77 * context), [1, 77, context],
        Values(pooledDim), [1, pooledDim], [size, size, 0, 0, size, size], [1, 6]);
}

// The first UNet segment of a Balanced session (its inputs are the UNet's own), built both ways ModelSessions builds
// a segment: kept (full graph optimisation, weights pre-packed) and streamed (neither). Each round loads the segment,
// runs both CFG passes at 512² and releases it, as a streamed segment does every step; best of three rounds.
void SegmentLoad(string folder, long budgetMiB)
{
    engine.OpenSession(new EngineSessionOptions { ModelPath = folder, MemoryMode = MemoryMode.Balanced, BudgetBytes = budgetMiB << 20 });
    var pipeline = engine.GetPipeline(folder, new TextToImageRequest { Prompt = "bench", Width = 512, Height = 512 });
    var unet = pipeline.Model[DiffusionModel.Unet];
    var segment = ((SegmentedUnetRunner)pipeline.Unet).Segments[0];
    using var sessions = new ModelSessions(pipeline.Model);
    var feeds = UnetFeeds.Create(unet, RandomUnetInputs(unet, 512));
    try
    {
        var names = segment.Inputs.ToArray();
        var values = names.Select(n => feeds[n]).ToArray();
        Console.WriteLine($"UNet segment 0 of {folder} ({segment.WeightBytes / 1048576.0:F0} MiB of weights), 512x512, both CFG passes; best of 3 rounds");
        Console.WriteLine("  build                                  load s   run s   load+run s");
        foreach (bool streamed in new[] { false, true })
        {
            double load = double.MaxValue, run = double.MaxValue;
            for (int round = 0; round < 3; round++)
            {
                var clock = Stopwatch.StartNew();
                var session = sessions.GetGraph(segment.Key, segment.WeightBytes, segment.LoadGraph, Path.GetDirectoryName(unet.Path)!, streamed);
                double loaded = clock.Elapsed.TotalSeconds;
                for (int pass = 0; pass < 2; pass++)
                    CancellableRun.Run(session, names, values, segment.Outputs.ToArray(), CancellationToken.None).Dispose();
                load = Math.Min(load, loaded);
                run = Math.Min(run, clock.Elapsed.TotalSeconds - loaded);
                sessions.ReleaseKey(segment.Key);
            }
            Console.WriteLine($"  {(streamed ? "streamed: neither" : "kept: full optimisation + pre-packing"),-38} {load,6:F2}  {run,6:F2}  {load + run,10:F2}");
        }
    }
    finally
    {
        foreach (var value in feeds.Values) value.Dispose();
    }
}

void ForgeFull(string architecture, string precision)
{
    var options = new SyntheticModelOptions
    {
        Architecture = architecture.Equals("SD15", StringComparison.OrdinalIgnoreCase) ? DiffusionArchitecture.StableDiffusion15 : DiffusionArchitecture.StableDiffusionXL,
        Size = SyntheticModelSize.Full,
        Precision = Enum.Parse<ModelPrecision>(precision, ignoreCase: true),
    };
    string folder = Path.Combine(root, ".cache", "bench", $"forge-{architecture.ToLowerInvariant()}-full-{precision.ToLowerInvariant()}");
    var report = SyntheticModelBuilder.Create(folder, options, overwrite: true, new Progress<string>(Console.WriteLine));
    Console.WriteLine($"New-SyntheticModel {options.Architecture} Full {options.Precision} → {folder}");
    Console.WriteLine("  component        block                        parameters        MiB");
    foreach (var block in report.Blocks)
        Console.WriteLine($"  {block.Component,-16} {block.Block,-24} {block.Parameters,15:N0} {block.Bytes / 1048576.0,10:F1}");
    foreach (var component in report.Blocks.Select(b => b.Component).Distinct())
    {
        long count = report.ParametersOf(component);
        string published = report.PublishedParameters.TryGetValue(component, out long p) ? $"published {p:N0} ({(count - p) * 100.0 / p:+0.00;-0.00;0.00} %)" : "";
        Console.WriteLine($"  {component,-16} total {count,19:N0}  {published}");
    }
    long vae = report.Blocks.Where(b => b.Component.StartsWith("vae", StringComparison.Ordinal)).Sum(b => b.Parameters);
    if (report.PublishedParameters.TryGetValue("vae", out long publishedVae))
        Console.WriteLine($"  vae (both halves) total {vae,13:N0}  published {publishedVae:N0}");
    long onDisk = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
    Console.WriteLine($"  written: {onDisk / 1073741824.0:F2} GiB in {report.Elapsed.TotalSeconds:F0} s; peak working set {report.PeakWorkingSetBytes / 1048576.0:F0} MiB (VmHWM {Measure.PeakMiB():F0} MiB)");
    var checks = ModelIntegrity.Check(folder);
    Console.WriteLine($"  Test-NanoBananaModel: {checks.Count(c => c.Status == ModelCheckStatus.Passed)} of {checks.Count} checks passed");
    foreach (var failed in checks.Where(c => c.Status != ModelCheckStatus.Passed)) Console.WriteLine($"    {failed.Status} {failed.Component} {failed.Check}: {failed.Detail}");
}

void UpscaleRun(string model, int size, int tile, int scale)
{
    var image = Scene.Photo(size, size);
    var options = new UpscaleOptions { Model = model, Scale = scale, TileSize = tile };
    engine.Upscale(Scene.Photo(16, 16), options); // load the session outside the timing
    var sw = Stopwatch.StartNew();
    var result = engine.Upscale(image, options);
    double seconds = sw.Elapsed.TotalSeconds;
    Console.WriteLine($"{model,-18} {size,5}x{size,-5} {tile,5} {scale,5}  {seconds,8:F2}  {size * (double)size / 1e6 / seconds,9:F3}  {Measure.PeakMiB(),8:F0}  -> {result.Width}x{result.Height}");
}

void UpscaylComparison()
{
    string bin = UpscaylBinary.Extract(root);
    Console.WriteLine("x4 upscale: this engine (ONNX Runtime, CPU, session loaded) vs upscayl-bin (ncnn, Vulkan software device, whole process), same input, one run");
    Console.WriteLine("  model               input     engine s   upscayl s   ratio   within 4 levels");
    string[] only = args.Skip(1).ToArray();
    foreach (var (model, size) in new[] { ("realesrgan-x4fast", 16), ("realesrgan-x4fast", 128), ("realesrgan-x4fast", 256), ("realesrgan-x4plus", 48) })
    {
        if (only.Length > 0 && !only.Contains(model)) continue;
        string dir = Directory.CreateTempSubdirectory("nb-upscayl-").FullName;
        try
        {
            var image = Scene.Photo(size, size);
            string input = Path.Combine(dir, "in.png"), theirs = Path.Combine(dir, "out.png");
            ImageCodec.WritePng(image, input, overwrite: false);
            var options = new UpscaleOptions { Model = model, Scale = 4, TileSize = 256 };
            engine.Upscale(Scene.Photo(16, 16), options); // load the session outside the timing
            var sw = Stopwatch.StartNew();
            var ours = engine.Upscale(image, options);
            double ourSeconds = sw.Elapsed.TotalSeconds;
            sw.Restart();
            UpscaylBinary.Run(bin, model, input, theirs, Path.Combine(root, ".cache", "upscayl", "models"));
            double theirSeconds = sw.Elapsed.TotalSeconds;
            var reference = ImageCodec.Read(theirs);
            Console.WriteLine($"  {model,-18} {size,4}x{size,-4} {ourSeconds,8:F2}   {theirSeconds,9:F2}   {theirSeconds / ourSeconds,6:F1}x   {Agreement(ours, reference):P3}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

// Fraction of RGB pixels within 4 levels; upscayl-bin's wrap of slightly negative values to 255 is not counted against us.
static double Agreement(RgbaImage ours, RgbaImage theirs)
{
    long close = 0, counted = 0;
    for (int i = 0; i < ours.Pixels.Length; i += 4)
    {
        bool wrapped = false, within = true;
        for (int c = 0; c < 3; c++)
        {
            int a = ours.Pixels[i + c], b = theirs.Pixels[i + c];
            if (b == 255 && a <= 4) wrapped = true;
            else if (Math.Abs(a - b) > 4) within = false;
        }
        if (wrapped) continue;
        counted++;
        if (within) close++;
    }
    return (double)close / counted;
}
