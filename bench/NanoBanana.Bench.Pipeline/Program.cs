using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using NanoBanana;
using NanoBanana.Models;
using NanoBanana.Pipeline;
using NanoBanana.Runtime;
using NanoBanana.Schedulers;
using NanoBanana.Synthetic;

// Usage: dotnet run -c Release --project bench/NanoBanana.Bench.Pipeline [steps]
int steps = args.Length > 0 ? int.Parse(args[0]) : 20;
string root = Path.Combine(Path.GetTempPath(), "nb-bench-pipeline-" + Guid.NewGuid().ToString("N"));
try
{
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

sealed class Sync(Action<DenoiseProgress> report) : IProgress<DenoiseProgress>
{
    public void Report(DenoiseProgress value) => report(value);
}
