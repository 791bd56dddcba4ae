using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using NanoBanana;
using NanoBanana.Models;
using NanoBanana.Pipeline;
using NanoBanana.Runtime;
using NanoBanana.Schedulers;
using NanoBanana.Synthetic;

// Usage: dotnet run -c Release --project bench/NanoBanana.Bench.Pipeline [steps]
//        dotnet run -c Release --project bench/NanoBanana.Bench.Pipeline -- regional [steps] [sizes: 512 1024]
//        dotnet run -c Release --project bench/NanoBanana.Bench.Pipeline -- regional-passes [latent sides: 64]
//        dotnet run -c Release --project bench/NanoBanana.Bench.Pipeline -- regional-crop
//        dotnet run -c Release --project bench/NanoBanana.Bench.Pipeline -- img2img [steps]
string? mode = args.FirstOrDefault() is "regional" or "regional-passes" or "regional-crop" or "img2img" ? args[0] : null;
int steps = args.Skip(mode is null ? 0 : 1).Select(int.Parse).FirstOrDefault(mode == "img2img" ? 8 : 20);
string root = Path.Combine(Path.GetTempPath(), "nb-bench-pipeline-" + Guid.NewGuid().ToString("N"));
try
{
    if (mode is "regional" or "regional-passes" or "regional-crop")
    {
        string small = SyntheticModelBuilder.Create(Path.Combine(root, "Small"), new SyntheticModelOptions { Size = SyntheticModelSize.Small, Seed = 1 }).Folder;
        int[] numbers = args.Skip(1).Select(int.Parse).ToArray();
        if (mode == "regional") Regional(small, numbers.FirstOrDefault(4), numbers.Length > 1 ? numbers[1..] : [512, 1024]);
        else if (mode == "regional-passes") RegionalPasses(small, numbers.Length > 0 ? numbers : [64]);
        else RegionalCrop(small);
        return;
    }
    if (mode == "img2img")
    {
        ImageToImage.Run(root, steps);
        return;
    }
    Console.WriteLine($"Forge SDXL models, CPU ({Environment.ProcessorCount} cores), {steps} steps, CFG 1 (one UNet pass per step)");
    Console.WriteLine("model  size       pipeline ms/step   raw Run ms   overhead ratio");
    foreach (var (modelSize, sizes) in new[] { (SyntheticModelSize.Tiny, new[] { 64, 512 }), (SyntheticModelSize.Small, new[] { 256, 512 }) })
    {
        string folder = SyntheticModelBuilder.Create(Path.Combine(root, modelSize.ToString()), new SyntheticModelOptions { Size = modelSize, Seed = 1 }).Folder;
        foreach (int size in sizes)
        {
            using var pipeline = new TextToImagePipeline(new ModelSessions(DiffusionModel.Open(folder)));
            var request = new TextToImageRequest { Prompt = "knolling of a coffee grinder", Seed = 1, Steps = steps, CfgScale = 1, Width = size, Height = size };
            pipeline.Render(request with { Steps = 2 }); // warm-up: sessions created, first-run allocations done

            double PipelineMs()
            {
                var reports = new List<DenoiseProgress>();
                pipeline.Render(request, new Sync(reports.Add));
                // Between the first and last step report: steps only (no text encoding, no VAE).
                return (reports[^1].Elapsed - reports[0].Elapsed).TotalMilliseconds / (steps - 1);
            }

            // Raw: the same UNet session and input shapes, inputs built once, Run called back to back.
            var unet = pipeline.Sessions.Model[DiffusionModel.Unet];
            var session = pipeline.Sessions.Get(DiffusionModel.Unet);
            int latent = size / 8, context = unet.Input("encoder_hidden_states").Dimensions[2], pooledDim = unet.Input("text_embeds").Dimensions[1];
            using var sample = OrtValue.CreateTensorValueFromMemory(LatentNoise.Create(1, 1, 4, latent, latent), [1, 4, latent, latent]);
            using var timestep = OrtValue.CreateTensorValueFromMemory(new float[] { 500 }, []);
            using var hidden = OrtValue.CreateTensorValueFromMemory(new float[77 * context], [1, 77, context]);
            using var pooled = OrtValue.CreateTensorValueFromMemory(new float[pooledDim], [1, pooledDim]);
            using var timeIds = OrtValue.CreateTensorValueFromMemory(new float[] { size, size, 0, 0, size, size }, [1, 6]);
            string[] names = ["sample", "timestep", "encoder_hidden_states", "text_embeds", "time_ids"];
            OrtValue[] values = [sample, timestep, hidden, pooled, timeIds];
            using var runOptions = new RunOptions();
            session.Run(runOptions, names, values, ["out_sample"]).Dispose();
            double RawMs()
            {
                var clock = Stopwatch.StartNew();
                for (int i = 0; i < steps; i++) session.Run(runOptions, names, values, ["out_sample"]).Dispose();
                return clock.Elapsed.TotalMilliseconds / steps;
            }
            // Alternate the two three times and keep each one's best, so a burst of load elsewhere on the
            // machine does not land on one side only.
            double pipelineMs = double.MaxValue, rawMs = double.MaxValue;
            for (int round = 0; round < 3; round++)
            {
                pipelineMs = Math.Min(pipelineMs, PipelineMs());
                rawMs = Math.Min(rawMs, RawMs());
            }
            Console.WriteLine($"{modelSize,-6} {size,4}x{size,-4} {pipelineMs,16:F3} {rawMs,12:F3} {pipelineMs / rawMs,16:F3}");
        }
    }
}
finally
{
    try { Directory.Delete(root, recursive: true); } catch (IOException) { }
}

// Per-step time of regional renders (4 and 12 part regions on a grid, CFG 7.5) against the plain render of the same
// size, alternated over rounds; each the fastest step (between two step reports: no text encoding, no VAE).
static void Regional(string folder, int steps, int[] sizes)
{
    const int rounds = 3;
    Console.WriteLine($"Small synthetic SDXL, CPU ({Environment.ProcessorCount} cores), {steps} steps, CFG 7.5 (whole latent: cond + uncond; each region: one cond pass on its window), fastest step of {rounds} alternated rounds");
    Console.WriteLine("size        plain s/step   4 parts s/step  ratio   12 parts s/step  ratio");
    using var pipeline = new TextToImagePipeline(new ModelSessions(DiffusionModel.Open(folder)));
    foreach (int size in sizes)
    {
        var plain = new TextToImageRequest { Prompt = "exploded view of a quadcopter drone", Seed = 1, Steps = steps, Width = size, Height = size };
        // Parts on a grid with a 1/16 gap, as a layout would place them.
        TextToImageRequest WithParts(int parts)
        {
            int columns = (int)Math.Ceiling(Math.Sqrt(parts)), rows = (parts + columns - 1) / columns, gap = size / 16;
            int cellW = (size - gap * (columns + 1)) / columns, cellH = (size - gap * (rows + 1)) / rows;
            return plain with
            {
                Regions = Enumerable.Range(0, parts).Select(i => new PromptRegion($"part {i}, carbon fibre",
                    gap + i % columns * (cellW + gap), gap + i / columns * (cellH + gap), cellW, cellH)).ToArray(),
            };
        }
        var requests = new[] { plain, WithParts(4), WithParts(12) };
        pipeline.Render(plain with { Steps = 2 }); // warm-up
        var best = new double[requests.Length];
        Array.Fill(best, double.MaxValue);
        for (int round = 0; round < rounds; round++)
            for (int r = 0; r < requests.Length; r++)
            {
                var reports = new List<DenoiseProgress>();
                pipeline.Render(requests[r], new Sync(reports.Add));
                // The fastest single step (between two step reports): a burst of load elsewhere lengthens some steps only.
                for (int i = 1; i < reports.Count; i++) best[r] = Math.Min(best[r], (reports[i].Elapsed - reports[i - 1].Elapsed).TotalSeconds);
            }
        Console.WriteLine($"{size,4}x{size,-6} {best[0],12:F2} {best[1],15:F2} {best[1] / best[0],6:F2} {best[2],16:F2} {best[2] / best[0],6:F2}");
    }
}

// UNet time per pass shape: the whole latent (side in latents) at batch 1 and 2, and four square region crops of
// falling sides as one batch of 4 and as four batch-1 passes, each the best of 3 after a warm-up.
static void RegionalPasses(string folder, int[] sizes)
{
    using var pipeline = new TextToImagePipeline(new ModelSessions(DiffusionModel.Open(folder)));
    var unet = pipeline.Sessions.Model[DiffusionModel.Unet];
    int context = unet.Input("encoder_hidden_states").Dimensions[2], pooledDim = unet.Input("text_embeds").Dimensions[1];
    NanoBanana.Unet.UnetInputs Inputs(int batch, int side) => new(
        LatentNoise.Create(1, batch, 4, side, side), [batch, 4, side, side], 500,
        new float[batch * 77 * context], [batch, 77, context], new float[batch * pooledDim], [batch, pooledDim],
        Enumerable.Repeat(new float[] { 512, 512, 0, 0, side * 8, side * 8 }, batch).SelectMany(x => x).ToArray(), [batch, 6]);
    double Ms(IReadOnlyList<NanoBanana.Unet.UnetInputs> passes)
    {
        pipeline.Unet.Run(passes, NanoBanana.Lora.LoraSelection.None, CancellationToken.None);
        double best = double.MaxValue;
        for (int i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            pipeline.Unet.Run(passes, NanoBanana.Lora.LoraSelection.None, CancellationToken.None);
            best = Math.Min(best, clock.Elapsed.TotalMilliseconds);
        }
        return best;
    }
    foreach (int side in sizes)
    {
        double whole = Ms([Inputs(1, side)]);
        Console.WriteLine($"whole {side}x{side} b1: {whole:F0} ms; b2: {Ms([Inputs(2, side)]):F0} ms");
        foreach (int crop in new[] { side * 5 / 8, side * 9 / 16, side / 2, side * 7 / 16, side * 3 / 8 })
        {
            double b4 = Ms([Inputs(4, crop)]), b1x4 = Ms([Inputs(1, crop), Inputs(1, crop), Inputs(1, crop), Inputs(1, crop)]);
            double area = 4.0 * crop * crop / (side * side);
            Console.WriteLine($"  4 crops {crop}x{crop} (area {area:F2}): batch 4 {b4:F0} ms ({b4 / whole:F2}x whole), 4 x batch 1 {b1x4:F0} ms ({b1x4 / whole:F2}x)");
        }
    }
}

// What cropping alone does to a region's guided prediction: the global prompt predicted over a 4-part window (the
// top-left 36x36 latents of 64x64, as the 512² 4-part bench places it) against the whole latent's prediction there,
// RMS over the box (the window less its 4-latent margin). Paired: the crop guided by its own unconditional pass (ComfyUI's
// area conditioning); shared: by the whole latent's (NoisePrediction). The region's own words would add to either.
static void RegionalCrop(string folder)
{
    Console.WriteLine("step  RMS guided  RMS s(c-u)  crop deviation paired  shared");
    using var pipeline = new TextToImagePipeline(new ModelSessions(DiffusionModel.Open(folder)));
    var (cond, uncond) = new TextEncoding(pipeline.Sessions).EncodePair("exploded view of a quadcopter drone, grey flight battery", "blurry, text", CancellationToken.None);
    const int side = 64, crop = 36, box = crop - NoisePrediction.MarginLatents;
    const float scale = 7.5f;
    var scheduler = TextToImagePipeline.CreateScheduler(pipeline.Model.SchedulerConfig, "Euler", 20);
    var latents = LatentNoise.Create(new TorchRandom(3), 1, 4, side, side);
    foreach (int step in new[] { 0, 10, 18 })
    {
        var whole = scheduler.ScaleModelInput(latents, step);
        var window = new float[4 * crop * crop];
        for (int c = 0; c < 4; c++)
            for (int y = 0; y < crop; y++) whole.AsSpan((c * side + y) * side, crop).CopyTo(window.AsSpan((c * crop + y) * crop));
        NanoBanana.Unet.UnetInputs Pass(float[] sample, int size, TextConditioning t) => new(sample, [1, 4, size, size], scheduler.Timesteps[step],
            t.HiddenStates, [1, t.SequenceLength, t.HiddenSize], t.Pooled, [1, t.Pooled!.Length], [512, 512, 0, 0, size * 8, size * 8], [1, 6]);
        var o = pipeline.Unet.Run([Pass(whole, side, cond), Pass(whole, side, uncond), Pass(window, crop, cond), Pass(window, crop, uncond)],
            NanoBanana.Lora.LoraSelection.None, CancellationToken.None);
        double guided = 0, guidance = 0, paired = 0, shared = 0;
        for (int c = 0; c < 4; c++)
            for (int y = 0; y < box; y++)
                for (int x = 0; x < box; x++)
                {
                    int w = (c * side + y) * side + x, k = (c * crop + y) * crop + x;
                    float reference = o[1][w] + scale * (o[0][w] - o[1][w]);
                    guided += reference * reference;
                    guidance += Math.Pow(scale * (o[0][w] - o[1][w]), 2);
                    paired += Math.Pow(o[3][k] + scale * (o[2][k] - o[3][k]) - reference, 2);
                    shared += Math.Pow(o[1][w] + scale * (o[2][k] - o[1][w]) - reference, 2);
                }
        int n = 4 * box * box;
        Console.WriteLine($"{step,4} {Math.Sqrt(guided / n),11:F3} {Math.Sqrt(guidance / n),11:F3} {Math.Sqrt(paired / n),22:F3} {Math.Sqrt(shared / n),7:F3}");
    }
}

sealed class Sync(Action<DenoiseProgress> report) : IProgress<DenoiseProgress>
{
    public void Report(DenoiseProgress value) => report(value);
}
