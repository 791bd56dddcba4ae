using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using NanoBanana;
using NanoBanana.Models;
using NanoBanana.Pipeline;
using NanoBanana.Runtime;
using NanoBanana.Schedulers;
using NanoBanana.Synthetic;

// Usage: dotnet run -c Release --project bench/NanoBanana.Bench.Pipeline [steps]
//        dotnet run -c Release --project bench/NanoBanana.Bench.Pipeline -- regional [steps]
//        dotnet run -c Release --project bench/NanoBanana.Bench.Pipeline -- img2img [steps]
string? mode = args.FirstOrDefault() is "regional" or "img2img" ? args[0] : null;
int steps = args.Skip(mode is null ? 0 : 1).Select(int.Parse).FirstOrDefault(mode == "regional" ? 4 : mode == "img2img" ? 8 : 20);
string root = Path.Combine(Path.GetTempPath(), "nb-bench-pipeline-" + Guid.NewGuid().ToString("N"));
try
{
    if (mode == "regional")
    {
        Regional(SyntheticModelBuilder.Create(Path.Combine(root, "Small"), new SyntheticModelOptions { Size = SyntheticModelSize.Small, Seed = 1 }).Folder, steps);
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
// size, alternated and best of two rounds; the time between the first and last step reports.
static void Regional(string folder, int steps)
{
    Console.WriteLine($"Small synthetic SDXL, CPU ({Environment.ProcessorCount} cores), {steps} steps, CFG 7.5 (two passes per window), best of 2 rounds");
    Console.WriteLine("size        plain s/step   4 parts s/step  ratio   12 parts s/step  ratio");
    using var pipeline = new TextToImagePipeline(new ModelSessions(DiffusionModel.Open(folder)));
    foreach (int size in new[] { 512, 1024 })
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
        for (int round = 0; round < 2; round++)
            for (int r = 0; r < requests.Length; r++)
            {
                var reports = new List<DenoiseProgress>();
                pipeline.Render(requests[r], new Sync(reports.Add));
                best[r] = Math.Min(best[r], (reports[^1].Elapsed - reports[0].Elapsed).TotalSeconds / (steps - 1));
            }
        Console.WriteLine($"{size,4}x{size,-6} {best[0],12:F2} {best[1],15:F2} {best[1] / best[0],6:F2} {best[2],16:F2} {best[2] / best[0],6:F2}");
    }
}

sealed class Sync(Action<DenoiseProgress> report) : IProgress<DenoiseProgress>
{
    public void Report(DenoiseProgress value) => report(value);
}
