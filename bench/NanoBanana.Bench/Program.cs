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
using Microsoft.ML.OnnxRuntime;

// dotnet run -c Release --project bench/NanoBanana.Bench -- sharpness | upscale | upscayl | upscale-start [images] [module folder…] | upscale-phases | forge [SDXL|SD15] [Float16|Float32]
//     | memory [model folder] [Balanced budget MiB] [Low budget MiB] | segment-load <model folder> <Balanced budget MiB>
//     | segment-cache <model folder> <Balanced budget MiB> | nbits-level <quantised model folder> <accuracy level>
//     | batch [model folder] [Balanced budget MiB] | batch-profile [model folder] [PerRequest|ShrunkArena]
//     | quantize [model folder] [Balanced budget MiB] | quantize-run <model folder> <mode> <budget MiB> <png> [size] [VAE tile] [steps]
//     | attention [model folder] [Int8|Int4] | vae-run <model folder> <size> <VAE tile in latents, 0 for none> [ShrunkArena|PerRequest]
//     | estimate <width> <budget MiB> <model folder…> | kernels [runs] | sheet
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
    case "upscale-phases":
        UpscalePhases();
        break;
    case "upscale-start":
        UpscaleStart(args.Length > 1 ? int.Parse(args[1]) : 9, args.Skip(2).DefaultIfEmpty(Path.Combine(root, "artifacts", "module", "NanoBanana")).ToArray());
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
    case "segment-cache":
        SegmentCache(args[1], long.Parse(args[2]));
        break;
    case "nbits-level":
        NBitsLevel(args[1], int.Parse(args[2]));
        break;
    case "sheet":
        Sheet();
        break;
    case "batch":
        BatchModes(args.Length > 1 ? args[1] : SmallSdxl(), args.Length > 2 ? int.Parse(args[2]) : 0);
        break;
    case "batch-run":
        BatchRun(args[1], Enum.Parse<MemoryMode>(args[2]), long.Parse(args[3]), Enum.Parse<GuidanceBatching>(args[4]), Enum.Parse<CpuAllocation>(args[5]));
        break;
    case "turns":
        Turns(args[1], args[2..^1], int.Parse(args[^1]));
        break;
    case "turn-run":
        TurnRun(args[1], Enum.Parse<MemoryMode>(args[2]), long.Parse(args[3]));
        break;
    case "batch-profile":
        BatchProfile(args.Length > 1 ? args[1] : SmallSdxl(), args.Length > 2 ? Enum.Parse<CpuAllocation>(args[2]) : CpuAllocation.PerRequest);
        break;
    case "quantize":
        QuantizedModels(args.Length > 1 ? args[1] : SmallSdxl(), args.Length > 2 ? int.Parse(args[2]) : 0);
        break;
    case "quantize-run":
        QuantizedRun(args[1], Enum.Parse<MemoryMode>(args[2]), long.Parse(args[3]), args[4],
            args.Length > 5 ? int.Parse(args[5]) : 512, args.Length > 6 ? int.Parse(args[6]) : 32, args.Length > 7 ? int.Parse(args[7]) : 4);
        break;
    case "attention":
        FusedAttention(args.Length > 1 ? args[1] : SmallSdxl(), args.Length > 2 ? Enum.Parse<NanoBanana.Optimization.WeightBits>(args[2]) : null);
        break;
    case "vae-run":
        if (args.Length > 4) MemoryPolicy.CpuAllocation = Enum.Parse<CpuAllocation>(args[4]);
        VaeRun(args[1], int.Parse(args[2]), int.Parse(args[3]));
        break;
    case "estimate":
        Estimates(int.Parse(args[1]), long.Parse(args[2]), args[3..]);
        break;
    case "kernels":
        KernelPrecisions.Run(args.Length > 1 ? int.Parse(args[1]) : 15);
        break;
    case "forge":
        ForgeFull(args.Length > 1 ? args[1] : "SDXL", args.Length > 2 ? args[2] : "Float16");
        break;
    default:
        Console.Error.WriteLine("usage: NanoBanana.Bench sharpness | upscale | upscayl | forge [SDXL|SD15] [Float16|Float32] | memory [folder] [MiB] [MiB] | segment-load <folder> <MiB> | sheet");
        return 2;
}
return 0;

// A laid-out sheet's own work (plan, background cleaning, labelling at 2x, measuring) against the render it
// dresses, on the synthetic SDXLs, 8 steps, CFG 7.5: the main job's settings (tiny, 256) and a Small model at 512.
void Sheet()
{
    const string drone = """<product name="quadcopter drone"><part name="propeller" count="4" material="carbon fibre"/><part name="folding arm" count="4" colour="graphite"/><part name="flight battery" colour="grey"/><part name="gimbal camera"/></product>""";
    string forgeRoot = Path.Combine(root, ".cache", "bench", "sheet-models");
    Console.WriteLine($"Laid-out sheet vs its render: drone (10 boxes), Exploded, 8 steps, CFG 7.5, {Environment.ProcessorCount} cores; best of 3 (render: of 2)");
    Console.WriteLine("model  size      render ms   plan ms  clean ms  label@2x ms  measure@2x ms   sheet work / render");
    foreach (var (modelSize, size) in new[] { (SyntheticModelSize.Tiny, 256), (SyntheticModelSize.Small, 512) })
    {
        string folder = Path.Combine(forgeRoot, modelSize.ToString());
        if (!File.Exists(Path.Combine(folder, "model_index.json")))
            SyntheticModelBuilder.Create(folder, new SyntheticModelOptions { Size = modelSize, Seed = 1 });
        using var pipeline = new TextToImagePipeline(new ModelSessions(DiffusionModel.Open(folder)));
        var request = new TextToImageRequest { Prompt = "exploded view of a quadcopter drone", Seed = 1, Steps = 8, Width = size, Height = size };
        RgbaImage render = null!;
        double renderMs = Measure.Best(2, () => render = pipeline.Render(request)).TotalMilliseconds;
        var parts = NanoBanana.Layout.PartList.Parse(drone);
        NanoBanana.Layout.PartLayout layout = null!;
        double planMs = Measure.Best(3, () => layout = NanoBanana.Layout.LayoutPlanner.Plan(parts, NanoBanana.Layout.LayoutKind.Exploded, size, size)).TotalMilliseconds;
        RgbaImage clean = null!;
        double cleanMs = Measure.Best(3, () => clean = BackgroundCleaning.Apply(render, layout, SheetBackground.White)).TotalMilliseconds;
        var doubled = ImageResampler.Resize(clean, 2 * size, 2 * size);
        RgbaImage labelled = null!;
        double labelMs = Measure.Best(3, () => labelled = PartLabeling.Apply(doubled)).TotalMilliseconds;
        double measureMs = Measure.Best(3, () => ExplodedViewMeasure.Measure(labelled)).TotalMilliseconds;
        double sheetMs = planMs + cleanMs + labelMs;
        Console.WriteLine($"{modelSize,-6} {size,4}x{size,-4} {renderMs,9:F0} {planMs,9:F2} {cleanMs,9:F1} {labelMs,12:F1} {measureMs,14:F1} {sheetMs / renderMs,18:P2}");
    }
}

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
    Console.WriteLine("  mode      budget MiB  segments  peak MiB  estimate MiB  est/peak  s(1024, loads+1 step)  kept  s/step(512)");
    foreach (var (mode, budget) in new[] { (MemoryMode.Full, 0), (MemoryMode.Balanced, balancedMiB), (MemoryMode.Low, lowMiB) })
    {
        string peak = Measure.Child("memory-run", folder, mode.ToString(), budget.ToString(), "1024", "1");
        string time = Measure.Child("memory-run", folder, mode.ToString(), budget.ToString(), "512", "2");
        Console.WriteLine($"  {mode,-9} {(budget == 0 ? "none" : budget.ToString()),10}  {peak}  {time.Split(' ', StringSplitOptions.RemoveEmptyEntries)[4]}");
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
    var (segments, kept) = pipeline.Unet is SegmentedUnetRunner runner ? (runner.Segments.Count, runner.KeptSegments.Count) : (1, 1);
    double peak = Measure.PeakMiB(), estimated = estimate.UnetPhasePeakBytes / 1048576.0;
    Console.WriteLine($"{segments,8}  {peak,8:F0}  {estimated,12:F0}  {estimated / peak,8:F2}  {perStep,11:F2}  {kept,4}");
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

// The synthetic Small SDXL (fp32), built on first use: big enough for the allocator's effects, quick to run.
string SmallSdxl()
{
    string folder = Path.Combine(root, ".cache", "bench", "forge-sdxl-small-float32");
    if (!File.Exists(Path.Combine(folder, "model_index.json")))
        SyntheticModelBuilder.Create(folder, new SyntheticModelOptions { Size = SyntheticModelSize.Small }, overwrite: true);
    return folder;
}

// CFG as one batch-2 pass against two batch-1 passes, Full and Balanced, under the engine's CPU allocation before
// issue 21 (no arena) and now (a shared arena shrunk after each run); each row a fresh process at 512².
void BatchModes(string folder, int balancedMiB)
{
    var shape = MemoryPlanner.Describe(DiffusionModel.Open(folder), ExecutionDevice.Cpu);
    if (balancedMiB == 0)
    {
        // A budget that cuts the UNet into several segments and streams some of them: the weights' room is about half the UNet.
        long unet = new FileInfo(Path.Combine(folder, "unet", "model.onnx_data")).Length;
        balancedMiB = (int)((MemoryPlanner.RuntimeBytes + MemoryPlanner.UnetActivationBytes(shape, 512, 512, 2) + unet / 2) >> 20);
    }
    Console.WriteLine($"CFG batching on {folder} at 512x512 (CPU, {Environment.ProcessorCount} cores; each row a fresh process; peak = its VmHWM; Balanced budget {balancedMiB} MiB)");
    Console.WriteLine("  Time: 3 steps after a warm-up step; CPU = user and system seconds of those steps.");
    Console.WriteLine("  allocation   mode      CFG as       s/step  user s  sys s  peak MiB  segments  kept");
    var rows = new Dictionary<(CpuAllocation, MemoryMode, GuidanceBatching), double[]>();
    foreach (var allocation in new[] { CpuAllocation.PerRequest, CpuAllocation.ShrunkArena })
    foreach (var mode in new[] { MemoryMode.Full, MemoryMode.Balanced })
    foreach (var batching in new[] { GuidanceBatching.Separate, GuidanceBatching.Combined })
    {
        string line = Measure.Child("batch-run", folder, mode.ToString(), (mode == MemoryMode.Full ? 0 : balancedMiB).ToString(), batching.ToString(), allocation.ToString());
        var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(double.Parse).ToArray();
        rows[(allocation, mode, batching)] = values;
        string cfg = batching == GuidanceBatching.Combined ? "1 x batch 2" : "2 x batch 1";
        Console.WriteLine($"  {allocation,-12} {mode,-9} {cfg,-11} {values[0],7:F2} {values[1],7:F2} {values[2],6:F2} {values[3],9:F0} {values[4],9:F0} {values[5],5:F0}");
    }
    Console.WriteLine("  ratios (same run)                               Full   Balanced");
    // Wall time moves with the other work on a shared machine; CPU seconds (user + system) much less.
    string Ratio(Func<MemoryMode, double> f) => $"{f(MemoryMode.Full),6:F2}x  {f(MemoryMode.Balanced),6:F2}x";
    double Cpu(double[] row) => row[1] + row[2];
    foreach (var allocation in new[] { CpuAllocation.PerRequest, CpuAllocation.ShrunkArena })
    {
        Console.WriteLine($"  {allocation,-12} batch 2 / 2 x batch 1, wall time     {Ratio(m => rows[(allocation, m, GuidanceBatching.Combined)][0] / rows[(allocation, m, GuidanceBatching.Separate)][0])}");
        Console.WriteLine($"  {allocation,-12} batch 2 / 2 x batch 1, CPU time      {Ratio(m => Cpu(rows[(allocation, m, GuidanceBatching.Combined)]) / Cpu(rows[(allocation, m, GuidanceBatching.Separate)]))}");
    }
    foreach (var batching in new[] { GuidanceBatching.Separate, GuidanceBatching.Combined })
    {
        Console.WriteLine($"  {batching,-12} ShrunkArena / PerRequest, peak     {Ratio(m => rows[(CpuAllocation.ShrunkArena, m, batching)][3] / rows[(CpuAllocation.PerRequest, m, batching)][3])}");
        Console.WriteLine($"  {batching,-12} ShrunkArena / PerRequest, CPU time {Ratio(m => Cpu(rows[(CpuAllocation.ShrunkArena, m, batching)]) / Cpu(rows[(CpuAllocation.PerRequest, m, batching)]))}");
    }
    // At one budget batch 2's activations leave its weights less room, so Balanced cuts more, smaller segments and
    // streams more of them. Two batch-1 passes given batch 2's weight room (the budget less the activations batch 2
    // adds) cut the same segments: that pair compares the batching alone.
    long added = MemoryPlanner.UnetActivationBytes(shape, 512, 512, 2) - MemoryPlanner.UnetActivationBytes(shape, 512, 512, 1);
    string sameRoom = Measure.Child("batch-run", folder, "Balanced", (balancedMiB - (added >> 20)).ToString(), "Separate", "ShrunkArena");
    var separate = sameRoom.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(double.Parse).ToArray();
    var combined = rows[(CpuAllocation.ShrunkArena, MemoryMode.Balanced, GuidanceBatching.Combined)];
    Console.WriteLine($"  ShrunkArena  Balanced  2 x batch 1 at batch 2's weight room ({balancedMiB - (added >> 20)} MiB): {separate[0],5:F2} s/step {separate[1],5:F2} user s {separate[2],5:F2} sys s {separate[3],6:F0} MiB {separate[4],3:F0} segments {separate[5],3:F0} kept");
    Console.WriteLine($"  ShrunkArena  Balanced  batch 2 / 2 x batch 1 at the same segments, CPU time  {Cpu(combined) / Cpu(separate):F2}x");
}

// One row of BatchModes in this process: the engine's UNet runner for the mode, one step = CFG's two predictions.
void BatchRun(string folder, MemoryMode mode, long budgetMiB, GuidanceBatching batching, CpuAllocation allocation)
{
    MemoryPolicy.CpuAllocation = allocation;
    const int size = 512, steps = 3;
    engine.OpenSession(new EngineSessionOptions { ModelPath = folder, MemoryMode = mode, BudgetBytes = budgetMiB > 0 ? budgetMiB << 20 : null });
    var request = new TextToImageRequest { Prompt = "bench", Width = size, Height = size, GuidanceBatching = batching };
    var pipeline = engine.GetPipeline(folder, request);
    var one = RandomUnetInputs(pipeline.Model[DiffusionModel.Unet], size);
    IReadOnlyList<UnetInputs> passes = batching == GuidanceBatching.Combined ? [Batch2(one)] : [one, one];
    void Step() => pipeline.Unet.Run(passes, CancellationToken.None);
    Step(); // warm-up: loads and ORT's allocation planning
    var process = Process.GetCurrentProcess();
    var (user, system) = (process.UserProcessorTime, process.PrivilegedProcessorTime);
    var clock = Stopwatch.StartNew();
    for (int i = 0; i < steps; i++) Step();
    double perStep = clock.Elapsed.TotalSeconds / steps;
    process.Refresh();
    var (segments, kept) = pipeline.Unet is SegmentedUnetRunner runner ? (runner.Segments.Count, runner.KeptSegments.Count) : (1, 1);
    Console.WriteLine($"{perStep:F3} {(process.UserProcessorTime - user).TotalSeconds / steps:F2} {(process.PrivilegedProcessorTime - system).TotalSeconds / steps:F2} {Measure.PeakMiB():F0} {segments} {kept}");
}

// Modes side by side on a shared machine: one worker process per "Mode:MiB" (0: no budget), each with its pipeline
// loaded and warmed; the workers take one 512² step (CFG as two batch-1 passes) in turn, round after round, so a
// slow spell of the machine falls on all of them. "Mode:MiB@other/NanoBanana.Bench.dll" runs that worker on another
// build (an engine before a change). Prints each round's seconds and, per worker, the median of its ratios to the
// first worker's step in the same round.
void Turns(string folder, string[] workers, int rounds)
{
    var children = workers.Select(w => (Spec: w.Split('@')[0].Split(':'), Build: w.Contains('@') ? Path.GetFullPath(w.Split('@')[1]) : null))
        .Select(w => Measure.StartChild(w.Build, "turn-run", folder, w.Spec[0], w.Spec[1])).ToArray();
    try
    {
        foreach (var child in children) child.StandardOutput.ReadLine(); // "ready"
        var seconds = new double[rounds][];
        Console.WriteLine($"{folder}, 512x512, one step per worker per round; s/step of workers 1-{workers.Length}:");
        for (int w = 0; w < workers.Length; w++) Console.WriteLine($"  worker {w + 1}: {workers[w].Replace("@", " on ")}");
        for (int round = 0; round < rounds; round++)
        {
            seconds[round] = children.Select(child =>
            {
                child.StandardInput.WriteLine("step");
                return double.Parse(child.StandardOutput.ReadLine()!, CultureInfo.InvariantCulture);
            }).ToArray();
            Console.WriteLine($"  round {round + 1,2}: {string.Join("  ", seconds[round].Select(s => $"{s,6:F3}"))}");
        }
        static double Median(IEnumerable<double> values) { var v = values.Order().ToArray(); return (v[(v.Length - 1) / 2] + v[v.Length / 2]) / 2; }
        for (int w = 1; w < workers.Length; w++)
            Console.WriteLine($"  worker {w + 1} / worker 1: median {Median(seconds.Select(r => r[w] / r[0])):F2}x, range {seconds.Min(r => r[w] / r[0]):F2}-{seconds.Max(r => r[w] / r[0]):F2}x; median s/step {Median(seconds.Select(r => r[w])):F3} against {Median(seconds.Select(r => r[0])):F3}");
    }
    finally
    {
        foreach (var child in children)
        {
            child.StandardInput.Close();
            child.WaitForExit();
            child.Dispose();
        }
    }
}

// A worker of Turns: loads the pipeline, warms it with one step, then times one step per line on standard input.
void TurnRun(string folder, MemoryMode mode, long budgetMiB)
{
    engine.OpenSession(new EngineSessionOptions { ModelPath = folder, MemoryMode = mode, BudgetBytes = budgetMiB > 0 ? budgetMiB << 20 : null });
    var pipeline = engine.GetPipeline(folder, new TextToImageRequest { Prompt = "bench", Width = 512, Height = 512 });
    var inputs = RandomUnetInputs(pipeline.Model[DiffusionModel.Unet], 512);
    void Step() => pipeline.Unet.Run([inputs, inputs], CancellationToken.None);
    Step();
    Console.WriteLine("ready");
    while (Console.ReadLine() is not null)
    {
        var clock = Stopwatch.StartNew();
        Step();
        Console.WriteLine(clock.Elapsed.TotalSeconds.ToString("F4", CultureInfo.InvariantCulture));
    }
}

// The same pass twice in one batch (CFG's [uncond, cond] as the pipeline stacks them).
static UnetInputs Batch2(UnetInputs one)
{
    static float[] Twice(float[] v) => [.. v, .. v];
    static int[] Doubled(int[] shape) => [2 * shape[0], .. shape[1..]];
    return new UnetInputs(Twice(one.Sample), Doubled(one.SampleShape), one.Timestep, Twice(one.EncoderHiddenStates), Doubled(one.EncoderHiddenStatesShape),
        Twice(one.TextEmbeds!), Doubled(one.TextEmbedsShape!), Twice(one.TimeIds!), Doubled(one.TimeIdsShape!));
}

// ORT's profiler on the whole UNet (Full): two batch-1 runs against one batch-2 run, time per op type.
void BatchProfile(string folder, CpuAllocation allocation)
{
    MemoryPolicy.CpuAllocation = allocation;
    var model = DiffusionModel.Open(folder);
    var unet = model[DiffusionModel.Unet];
    var one = RandomUnetInputs(unet, 512);
    Console.WriteLine($"ORT profile of the whole UNet of {folder}, 512x512, {allocation}: ms per op type (one warm-up run of each first)");
    var columns = new List<Dictionary<string, double>>();
    foreach (var passes in new[] { new[] { one, one }, new[] { Batch2(one) } })
    {
        using var options = ExecutionProviders.CreateSessionOptions(ExecutionDevice.Cpu);
        options.EnableProfiling = true;
        options.ProfileOutputPathPrefix = Path.Combine(Path.GetTempPath(), "nb-batch-profile");
        using var session = new InferenceSession(unet.Path, options);
        var names = session.OutputMetadata.Keys.ToArray();
        void Pass(UnetInputs inputs)
        {
            var feeds = UnetFeeds.Create(unet, inputs);
            try { CancellableRun.Run(session, feeds.Keys.ToArray(), feeds.Values.ToArray(), names, CancellationToken.None).Dispose(); }
            finally { foreach (var v in feeds.Values) v.Dispose(); }
        }
        for (int round = 0; round < 2; round++) // a warm-up round, then the measured one
            foreach (var p in passes) Pass(p);
        string file = session.EndProfiling();
        columns.Add(OpTimes(file, skipRuns: passes.Length));
        File.Delete(file);
    }
    Console.WriteLine("  op type              2 x batch 1   1 x batch 2   ratio");
    foreach (var op in columns[1].OrderByDescending(kv => kv.Value).Take(12).Select(kv => kv.Key))
    {
        double a = columns[0].GetValueOrDefault(op), b = columns[1][op];
        Console.WriteLine($"  {op,-20} {a,11:F0} {b,13:F0} {b / a,7:F2}");
    }
    Console.WriteLine($"  {"all ops",-20} {columns[0].Values.Sum(),11:F0} {columns[1].Values.Sum(),13:F0} {columns[1].Values.Sum() / columns[0].Values.Sum(),7:F2}");
}

// Sums "Node" events' durations (µs) per op type in an ORT profile, leaving out the first skipRuns runs (warm-up).
static Dictionary<string, double> OpTimes(string profile, int skipRuns)
{
    using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(profile));
    var times = new Dictionary<string, double>();
    int runs = 0;
    foreach (var e in json.RootElement.EnumerateArray())
    {
        string name = e.GetProperty("name").GetString()!;
        if (e.GetProperty("cat").GetString() == "Session" && name == "model_run") { runs++; continue; }
        if (e.GetProperty("cat").GetString() != "Node" || !name.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
        if (runs < skipRuns) continue; // a node's event precedes its run's model_run event
        string op = e.GetProperty("args").GetProperty("op_name").GetString()!;
        times[op] = times.GetValueOrDefault(op) + e.GetProperty("dur").GetDouble() / 1000;
    }
    return times;
}

// fp32 against its Int8 and Int4 copies (Optimize-NanoBananaModel), Full and Balanced: UNet weight bytes, time per
// step, peak and the final image against fp32's. Each render a fresh process: 512x512, 4 steps, CFG 7 (two batch-1 passes).
void QuantizedModels(string folder, int balancedMiB)
{
    var variants = new List<(string Name, string Folder)> { ("fp32", folder) };
    foreach (var (name, request) in new (string, NanoBanana.Optimization.ModelOptimization)[]
    {
        ("Int8", new(NanoBanana.Optimization.WeightBits.Int8)),
        ("Int4", new(NanoBanana.Optimization.WeightBits.Int4)),
        ("Int8Dyn", new(NanoBanana.Optimization.WeightBits.Int8, Scheme: NanoBanana.Optimization.QuantizationScheme.Dynamic)),
    })
    {
        string copy = folder + "-" + name.ToLowerInvariant();
        if (!Directory.Exists(copy)) NanoBanana.Optimization.ModelOptimizer.Optimize(folder, copy, request);
        variants.Add((name, copy));
    }
    if (balancedMiB == 0)
    {
        // Room for half the fp32 UNet beside the runtime and a batch-1 pass's activations: fp32 streams, the copies need not.
        var shape = MemoryPlanner.Describe(DiffusionModel.Open(folder), ExecutionDevice.Cpu);
        balancedMiB = (int)((MemoryPlanner.RuntimeBytes + MemoryPlanner.UnetActivationBytes(shape, 512, 512, 1) + shape.UnetBytes / 2) >> 20);
    }
    string images = Directory.CreateTempSubdirectory("nb-quant-bench-").FullName;
    Console.WriteLine($"Quantised copies of {folder} (Int8, Int4: weight-only MatMulNBits; Int8Dyn: DynamicQuantizeMatMul) (CPU, {Environment.ProcessorCount} cores; each row a fresh process; peak = its VmHWM; Balanced budget {balancedMiB} MiB)");
    Console.WriteLine("  512x512, 4 steps, CFG as two batch-1 passes, VAE in 256-px tiles (so the VAE fits the budget); time = steps 2-4 (after loads); CPU = user + system s per step; image vs the fp32 Full render");
    Console.WriteLine("  weights   UNet MiB  text enc MiB  mode      segments  s/step  CPU s/step  peak MiB  PSNR dB  max level");
    var steps = new Dictionary<(string, MemoryMode), double>();
    RgbaImage? reference = null;
    foreach (var (name, path) in variants)
    {
        var model = DiffusionModel.Open(path);
        double unet = model[DiffusionModel.Unet].WeightBytes / 1048576.0;
        double text = (model[DiffusionModel.TextEncoder].WeightBytes + model[DiffusionModel.TextEncoder2].WeightBytes) / 1048576.0;
        foreach (var mode in new[] { MemoryMode.Full, MemoryMode.Balanced })
        {
            string png = Path.Combine(images, $"{name}-{mode}.png");
            string line = Measure.Child("quantize-run", path, mode.ToString(), (mode == MemoryMode.Full ? 0 : balancedMiB).ToString(), png);
            if (!File.Exists(png))
            {
                Console.WriteLine($"  {name,-8} {mode,-9} failed: {line.Split('\n')[0]}");
                continue;
            }
            var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(double.Parse).ToArray();
            var image = ImageCodec.Read(png);
            reference ??= image;
            var diff = ImageComparison.Compare(reference, image);
            steps[(name, mode)] = values[2];
            string psnr = double.IsInfinity(diff.Psnr) ? "exact" : diff.Psnr.ToString("F1");
            Console.WriteLine($"  {name,-8} {unet,9:F1} {text,13:F1}  {mode,-9} {values[0],8:F0} {values[1],7:F2} {values[2],11:F2} {values[3],9:F0} {psnr,8} {diff.MaxDifference,10}");
        }
    }
    Console.WriteLine("  ratios (CPU time per step, same run)");
    foreach (var (name, _) in variants.Where(v => steps.ContainsKey((v.Name, MemoryMode.Full)) && steps.ContainsKey((v.Name, MemoryMode.Balanced))))
        Console.WriteLine($"  {name,-8} Balanced / Full {steps[(name, MemoryMode.Balanced)] / steps[(name, MemoryMode.Full)],6:F2}x   Full / fp32 Full {steps[(name, MemoryMode.Full)] / steps[("fp32", MemoryMode.Full)],6:F2}x");
    Directory.Delete(images, recursive: true);
}

// One render of QuantizedModels in this process (or any size, VAE tile in latents — 0 for none — and step count);
// writes the image to png and prints segments, s/step, CPU s/step (steps after the first) and the process's peak.
void QuantizedRun(string folder, MemoryMode mode, long budgetMiB, string png, int size, int vaeTile, int steps)
{
    engine.OpenSession(new EngineSessionOptions { ModelPath = folder, MemoryMode = mode, BudgetBytes = budgetMiB > 0 ? budgetMiB << 20 : null });
    var process = Process.GetCurrentProcess();
    var clock = Stopwatch.StartNew();
    (TimeSpan Wall, TimeSpan Cpu) first = default, last = default;
    var progress = new SynchronousProgress(p =>
    {
        process.Refresh();
        var now = (clock.Elapsed, process.UserProcessorTime + process.PrivilegedProcessorTime);
        if (p.Step == 1) first = now;
        last = now;
    });
    var image = engine.Render(folder, new TextToImageRequest { Prompt = "an exploded view of a camera", Seed = 1, Steps = steps, CfgScale = 7, Width = size, Height = size, VaeTiling = vaeTile > 0 ? new VaeTiling(vaeTile) : null }, progress);
    ImageCodec.WritePng(image, png, overwrite: true);
    int segments = engine.GetSessionInfo().SegmentCount;
    Console.WriteLine($"{segments} {(last.Wall - first.Wall).TotalSeconds / (steps - 1):F3} {(last.Cpu - first.Cpu).TotalSeconds / (steps - 1):F3} {Measure.PeakMiB():F0}");
}

// The model against its -FuseAttention copy (quantised too when bits are given, and then against the quantised copy
// without fusion), Full mode: the UNet phase's peak at 1024² (1 step, CFG as two passes) with the planner's estimate,
// and the time per step at 512²; each row a fresh process (memory-run), ratios from the same run.
void FusedAttention(string folder, NanoBanana.Optimization.WeightBits? bits)
{
    string Copy(bool fuse)
    {
        string copy = folder + (bits is { } b ? "-" + b.ToString().ToLowerInvariant() : "") + (fuse ? "-fused" : "");
        if (copy != folder && !Directory.Exists(copy)) NanoBanana.Optimization.ModelOptimizer.Optimize(folder, copy, new(bits, FuseAttention: fuse));
        return copy;
    }
    Console.WriteLine($"Fused attention on {folder}{(bits is null ? "" : $", both {bits}")} (CPU, {Environment.ProcessorCount} cores; Full; each row a fresh process; peak = its VmHWM)");
    Console.WriteLine("  Peak: 1024x1024, UNet phase, 1 step with CFG (2 UNet runs). Time: 512x512, 2 steps with CFG after a warm-up step.");
    Console.WriteLine("  attention    segments  peak MiB  estimate MiB  est/peak  s(1024, 1st step)  kept  segments  peak(512)  est(512)  est/peak  s/step(512)  kept");
    var rows = new List<(double[] Peak, double[] Time)>();
    double[] Values(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(double.Parse).ToArray();
    foreach (bool fuse in new[] { false, true })
    {
        string copy = Copy(fuse);
        string peak = Measure.Child("memory-run", copy, "Full", "0", "1024", "1");
        string time = Measure.Child("memory-run", copy, "Full", "0", "512", "2");
        Console.WriteLine($"  {(fuse ? "fused" : "as exported"),-12} {peak}  {time}");
        rows.Add((Values(peak), Values(time)));
    }
    Console.WriteLine($"  fused / as exported: peak at 1024² {rows[1].Peak[1] / rows[0].Peak[1]:F2}x, first step at 1024² {rows[1].Peak[4] / rows[0].Peak[4]:F2}x, s/step at 512² {rows[1].Time[4] / rows[0].Time[4]:F2}x");
}

// The VAE decode alone in this process (the engine's VaeDecoding on the CPU): seeded latents at a square size, whole or
// in tiles; prints the process's peak and the planner's VAE phase (decoder weights, its activations, the runtime).
void VaeRun(string folder, int size, int tile)
{
    var model = DiffusionModel.Open(folder);
    using var sessions = new ModelSessions(model);
    int latent = size / 8;
    var random = new Random(1);
    var latents = Enumerable.Range(0, 4 * latent * latent).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    var clock = Stopwatch.StartNew();
    new NanoBanana.Pipeline.VaeDecoding(sessions).Decode(latents, 4, latent, latent, tile > 0 ? new VaeTiling(tile) : null, new GenerationParameters(), CancellationToken.None);
    var shape = MemoryPlanner.Describe(model, ExecutionDevice.Cpu);
    double estimate = (shape.VaeDecoderBytes + MemoryPlanner.VaeActivationBytes(shape, size, size, tile > 0 ? tile * 8 : null) + MemoryPlanner.RuntimeBytes) / 1048576.0;
    Console.WriteLine($"{size,5} {(tile > 0 ? tile * 8 : size),5}  {Measure.PeakMiB(),8:F0}  {estimate,12:F0}  {estimate / Measure.PeakMiB(),8:F2}  {clock.Elapsed.TotalSeconds,7:F1}");
}

// The planner's estimate per mode for each model folder at a square size and budget, planned for the CPU and for CUDA
// (Get-RenderMemoryEstimate -Device's numbers).
void Estimates(int size, long budgetMiB, string[] folders)
{
    Console.WriteLine($"Planner estimates, {size}x{size}, batch 1, budget {budgetMiB} MiB (estimates from the graphs, not measurements)");
    Console.WriteLine("  model                                         device  mode      estimate MiB  segments  VAE tile  fits");
    foreach (string folder in folders)
        foreach (var device in new[] { ExecutionDevice.Cpu, ExecutionDevice.Cuda })
            foreach (var estimate in engine.EstimateMemory(folder, size, size, 1, budgetMiB << 20, device: device))
                Console.WriteLine($"  {Path.GetFileName(folder),-45} {device,-6}  {estimate.Mode,-9} {estimate.PeakBytes / 1048576.0,12:F0}  {estimate.SegmentCount,8}  {estimate.VaeTilePixels?.ToString() ?? "whole",8}  {estimate.Fits}");
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


// Invoke-Upscale as users meet it, against upscayl-bin, 128x128 inputs at x4, in one run: one image as a whole process
// (`dotnet pwsh -c "Import-Module …; Invoke-Upscale …"` against upscayl-bin on one file), the first call in a process
// against a warm one, and per image over a batch (one process for all images, each tool). Each module folder given
// (default: the built module) gets its own rows, so builds can be compared in the same run.
void UpscaleStart(int images, string[] modules)
{
    string bin = UpscaylBinary.Extract(root), models = Path.Combine(root, ".cache", "upscayl", "models");
    string dir = Directory.CreateTempSubdirectory("nb-upscale-start-").FullName;
    try
    {
        string batch = Path.Combine(dir, "batch"), single = Path.Combine(batch, "image-0.png");
        Directory.CreateDirectory(batch);
        for (int i = 0; i < images; i++) ImageCodec.WritePng(Scene.Photo(128, 128, seed: 7 + i), Path.Combine(batch, $"image-{i}.png"), overwrite: false);
        string Out(string name) => Path.Combine(dir, name);
        Console.WriteLine($"Invoke-Upscale vs upscayl-bin as users meet them: 128x128 -> 512x512 (x4, realesrgan-x4fast), {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at start");
        Console.WriteLine("  whole = one process start to end (pwsh: `dotnet pwsh -c \"Import-Module …; Invoke-Upscale …\"`); CPU = user + system s of the process tree");
        var theirs = Timed(() => UpscaylBinary.Run(bin, "realesrgan-x4fast", single, Out("upscayl-one.png"), models));
        var theirBatch = Timed(() => UpscaylBinary.Run(bin, "realesrgan-x4fast", batch, Directory.CreateDirectory(Out("upscayl-batch")).FullName, models));
        Console.WriteLine($"  upscayl-bin   one image, whole       {theirs.Wall,7:F2} s  CPU {theirs.Cpu,6:F2} s");
        Console.WriteLine($"  upscayl-bin   {images} images, per image  {theirBatch.Wall / images,7:F2} s  CPU {theirBatch.Cpu / images,6:F2} s");
        foreach (string module in modules)
        {
            string import = $"Import-Module '{Path.Combine(module, "NanoBanana.psd1")}'";
            var one = Timed(() => Pwsh($"{import}; $null = Invoke-Upscale -LiteralPath '{single}' -Scale 4 -OutFile '{Out("ours-one.png")}' -Force"));
            var many = Timed(() => Pwsh($"{import}; Get-ChildItem '{batch}' -Filter *.png | Invoke-Upscale -Scale 4 -OutputDirectory '{Out("ours-batch")}' -Force | Out-Null"));
            // Three calls in one process: the first, then the better of two warm ones.
            string calls = Pwsh($"{import}; 1..3 | ForEach-Object {{ $clock = [Diagnostics.Stopwatch]::StartNew(); $null = Invoke-Upscale -LiteralPath '{single}' -Scale 4; $clock.Elapsed.TotalSeconds }}");
            var seconds = calls.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(double.Parse).ToArray();
            double first = seconds[0], warm = Math.Min(seconds[1], seconds[2]);
            Console.WriteLine($"  module {module}");
            Console.WriteLine($"    Invoke-Upscale one image, whole    {one.Wall,7:F2} s  CPU {one.Cpu,6:F2} s   upscayl-bin / this: wall {theirs.Wall / one.Wall,5:F1}x  CPU {theirs.Cpu / one.Cpu,5:F1}x");
            Console.WriteLine($"    Invoke-Upscale {images} images, per image {many.Wall / images,6:F2} s  CPU {many.Cpu / images,6:F2} s   upscayl-bin / this: wall {theirBatch.Wall / many.Wall,5:F1}x  CPU {theirBatch.Cpu / many.Cpu,5:F1}x");
            Console.WriteLine($"    in one process: first call {first:F2} s, warm call {warm:F2} s   first / warm {first / warm,5:F2}x");
        }
    }
    finally
    {
        Directory.Delete(dir, recursive: true);
    }
}

// Where a fresh process's first upscale goes, step by step as UpscaleModelStore opens a model (no pwsh): ONNX Runtime's
// environment, reading the model and its receptive field, the session (full graph optimisation, as the store builds
// it), then three 128x128 x4 upscales. Wall and CPU seconds of this process per step.
void UpscalePhases()
{
    var process = Process.GetCurrentProcess();
    var clock = Stopwatch.StartNew();
    var (wall, cpu) = (TimeSpan.Zero, process.TotalProcessorTime);
    void Step(string name)
    {
        process.Refresh();
        Console.WriteLine($"  {name,-34} wall {(clock.Elapsed - wall).TotalSeconds,6:F3} s  CPU {(process.TotalProcessorTime - cpu).TotalSeconds,6:F3} s");
        (wall, cpu) = (clock.Elapsed, process.TotalProcessorTime);
    }
    Console.WriteLine($"realesrgan-x4fast in a fresh process, step by step ({Environment.ProcessorCount} cores)");
    _ = OrtEnv.Instance().GetVersionString();
    Step("ONNX Runtime environment");
    string path = Path.Combine(modelDirectory, UpscaleOptions.DefaultModel + ".onnx");
    byte[] bytes = File.ReadAllBytes(path);
    var field = ReceptiveField.Of(NanoBanana.Onnx.OnnxModelFile.Parse(new MemoryStream(bytes), path), NcnnToOnnxConverter.InputName);
    Step("read model + receptive field");
    using var options = ExecutionProviders.CreateSessionOptions(ExecutionDevice.Cpu);
    using var session = new InferenceSession(bytes, options);
    Step("session (full optimisation)");
    var image = Scene.Photo(128, 128);
    Step("input image (SkiaSharp)");
    var upscaler = new TiledUpscaler(session, field, UpscaleOptions.DefaultModel);
    for (int i = 1; i <= 3; i++)
    {
        upscaler.Upscale(image, new UpscaleOptions { Scale = 4 });
        Step($"upscale {i}, 128x128 x4");
    }
}

// A copy of a quantised model folder whose UNet's MatMulNBits nodes use another accuracy_level (0: float arithmetic on
// dequantised blocks, 4: int8 arithmetic on quantised activations), for batch-profile to compare; prints the copy's path.
void NBitsLevel(string folder, int level)
{
    string copy = $"{folder}-level{level}";
    foreach (string file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
    {
        string target = Path.Combine(copy, Path.GetRelativePath(folder, file));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(file, target, overwrite: true);
    }
    string unet = Path.Combine(copy, "unet", "model.onnx");
    var model = NanoBanana.Onnx.OnnxModelFile.Load(unet);
    foreach (var node in model.Graph.Node.Where(n => n.OpType == "MatMulNBits"))
        node.Attribute.Single(a => a.Name == "accuracy_level").I = level;
    NanoBanana.Onnx.OnnxModelFile.Save(model, unet);
    Console.WriteLine(copy);
}

// Wall time and the CPU time of the children waited for meanwhile (getrusage RUSAGE_CHILDREN), so a loaded machine's
// waiting shows as wall time but not as CPU.
static (double Wall, double Cpu) Timed(Action action)
{
    double before = ChildCpu.Seconds();
    var clock = Stopwatch.StartNew();
    action();
    return (clock.Elapsed.TotalSeconds, ChildCpu.Seconds() - before);
}

// `dotnet pwsh` from the repository's tool manifest (the pinned pwsh), no profile; returns what it printed.
string Pwsh(string script)
{
    var start = new ProcessStartInfo("dotnet") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-Command", script }) start.ArgumentList.Add(a);
    using var process = Process.Start(start)!;
    var errors = process.StandardError.ReadToEndAsync();
    string output = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0 || errors.Result.Length > 0) throw new InvalidOperationException($"pwsh failed ({process.ExitCode}): {errors.Result}");
    return output;
}

// Would a disk cache of optimised segment graphs (ORT's SessionOptions.OptimizedModelFilePath) make streamed segments
// cheaper? The largest Balanced segment, its inputs computed by the segments before it, is loaded and run (both CFG
// passes, 512²) four ways, best of 2 rounds each, the four alternated twice: as ModelSessions builds a kept segment
// (full optimisation + pre-packing) and a streamed one (neither), and from its optimised graph saved once to disk
// (loaded without optimisation, with and without pre-packing).
void SegmentCache(string folder, long budgetMiB)
{
    engine.OpenSession(new EngineSessionOptions { ModelPath = folder, MemoryMode = MemoryMode.Balanced, BudgetBytes = budgetMiB << 20 });
    var pipeline = engine.GetPipeline(folder, new TextToImageRequest { Prompt = "bench", Width = 512, Height = 512 });
    var unet = pipeline.Model[DiffusionModel.Unet];
    var segments = ((SegmentedUnetRunner)pipeline.Unet).Segments;
    var segment = segments.MaxBy(s => s.WeightBytes)!;
    string unetFolder = Path.GetDirectoryName(unet.Path)!;
    SessionOptions Options(bool optimise, bool prepack, string? dataFolder)
    {
        var options = ExecutionProviders.CreateSessionOptions(ExecutionDevice.Cpu);
        if (dataFolder is not null) NanoBanana.Onnx.OnnxSubgraph.SessionOptionsFor(dataFolder, options);
        if (!optimise) options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
        if (!prepack) options.AddSessionConfigEntry("session.disable_prepacking", "1");
        return options;
    }
    var live = new Dictionary<string, OrtValue>(UnetFeeds.Create(unet, RandomUnetInputs(unet, 512)));
    var owned = new List<IDisposable>();
    string cache = Directory.CreateTempSubdirectory("nb-segment-cache-").FullName;
    try
    {
        foreach (var before in segments.TakeWhile(s => s != segment))
        {
            using var options = Options(true, true, unetFolder);
            using var session = new InferenceSession(Google.Protobuf.MessageExtensions.ToByteArray(before.LoadGraph()), options);
            var results = CancellableRun.Run(session, before.Inputs.ToArray(), before.Inputs.Select(n => live[n]).ToArray(), before.Outputs.ToArray(), CancellationToken.None);
            owned.Add(results);
            for (int o = 0; o < before.Outputs.Count; o++) live[before.Outputs[o]] = results[o];
        }
        byte[] graph = Google.Protobuf.MessageExtensions.ToByteArray(segment.LoadGraph());
        string optimised = Path.Combine(cache, "segment.onnx");
        var clock = Stopwatch.StartNew();
        using (var options = Options(true, true, unetFolder))
        {
            options.OptimizedModelFilePath = optimised;
            // Without this ORT writes every weight into the .onnx file; with it, into a data file beside it.
            options.AddSessionConfigEntry("session.optimized_model_external_initializers_file_name", "segment.onnx_data");
            options.AddSessionConfigEntry("session.optimized_model_external_initializers_min_size_in_bytes", "1024");
            using var session = new InferenceSession(graph, options);
        }
        double saveSeconds = clock.Elapsed.TotalSeconds;
        long written = Directory.EnumerateFiles(cache).Sum(f => new FileInfo(f).Length);
        Console.WriteLine($"Largest Balanced segment of {folder} (budget {budgetMiB} MiB): {segment}, 512x512, both CFG passes; best of 2 rounds, the four builds alternated twice");
        Console.WriteLine($"  saving its optimised graph: {saveSeconds:F2} s, {written / 1048576.0:F1} MiB written for {segment.WeightBytes / 1048576.0:F1} MiB of weights");
        Console.WriteLine("  build                                        load s   run s   load+run s");
        var names = segment.Inputs.ToArray();
        var values = names.Select(n => live[n]).ToArray();
        var builds = new (string Name, Func<InferenceSession> Create)[]
        {
            ("kept: full optimisation + pre-packing", () => { using var o = Options(true, true, unetFolder); return new InferenceSession(graph, o); }),
            ("streamed: neither", () => { using var o = Options(false, false, unetFolder); return new InferenceSession(graph, o); }),
            ("cached optimised graph + pre-packing", () => { using var o = Options(false, true, null); return new InferenceSession(optimised, o); }),
            ("cached optimised graph, no pre-packing", () => { using var o = Options(false, false, null); return new InferenceSession(optimised, o); }),
        };
        foreach (var (name, create) in builds.Concat(builds))
        {
            double load = double.MaxValue, run = double.MaxValue;
            for (int round = 0; round < 2; round++)
            {
                var watch = Stopwatch.StartNew();
                using var session = create();
                double loaded = watch.Elapsed.TotalSeconds;
                for (int pass = 0; pass < 2; pass++) CancellableRun.Run(session, names, values, segment.Outputs.ToArray(), CancellationToken.None).Dispose();
                load = Math.Min(load, loaded);
                run = Math.Min(run, watch.Elapsed.TotalSeconds - loaded);
            }
            Console.WriteLine($"  {name,-44} {load,6:F3}  {run,6:F3}  {load + run,10:F3}");
        }
    }
    finally
    {
        foreach (var o in owned) o.Dispose();
        foreach (var name in unet.Inputs.Select(i => i.Name)) if (live.TryGetValue(name, out var v)) v.Dispose();
        Directory.Delete(cache, recursive: true);
    }
}
