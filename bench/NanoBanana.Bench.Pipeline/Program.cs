using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using NanoBanana.Diffusion;
using NanoBanana.Engine.Tests.Pipeline;
using NanoBanana.Models;
using NanoBanana.Runtime;

// Usage: dotnet run -c Release --project bench/NanoBanana.Bench.Pipeline [steps]
int steps = args.Length > 0 ? int.Parse(args[0]) : 20;
string root = Path.Combine(Path.GetTempPath(), "nb-bench-pipeline-" + Guid.NewGuid().ToString("N"));
try
{
    string folder = TinyDiffusionFolder.Create(Path.Combine(root, "tiny-sdxl"), xl: true);
    Console.WriteLine($"tiny SDXL (hand-built), CPU, {steps} steps, CFG 1 (one UNet pass per step)");
    Console.WriteLine("size      pipeline ms/step   raw Run ms   overhead ratio");
    foreach (int size in new[] { 64, 512 })
    {
        using var pipeline = new TextToImagePipeline(new ModelSessions(DiffusionModel.Open(folder)));
        var request = new TextToImageRequest { Prompt = "hello world", Seed = 1, Steps = steps, CfgScale = 1, Width = size, Height = size };
        pipeline.Render(request with { Steps = 2 }); // warm-up: sessions created, first-run allocations done

        var reports = new List<DenoiseProgress>();
        pipeline.Render(request, new Sync(reports.Add));
        // Between the first and last step report: steps only (no text encoding, no VAE).
        double pipelineMs = (reports[^1].Elapsed - reports[0].Elapsed).TotalMilliseconds / (steps - 1);

        // Raw: the same UNet session and input shapes, inputs built once, Run called back to back.
        var session = pipeline.Sessions.Get(DiffusionModel.Unet);
        int lh = size / 8, seq = 77, ctx = TinyDiffusionFolder.Hidden1 + TinyDiffusionFolder.Hidden2;
        using var sample = OrtValue.CreateTensorValueFromMemory(LatentNoise.Create(1, 1, 4, lh, lh), [1, 4, lh, lh]);
        using var timestep = OrtValue.CreateTensorValueFromMemory(new float[] { 500 }, []);
        using var hidden = OrtValue.CreateTensorValueFromMemory(new float[seq * ctx], [1, seq, ctx]);
        using var pooled = OrtValue.CreateTensorValueFromMemory(new float[TinyDiffusionFolder.Hidden2], [1, TinyDiffusionFolder.Hidden2]);
        using var timeIds = OrtValue.CreateTensorValueFromMemory(new float[] { size, size, 0, 0, size, size }, [1, 6]);
        string[] names = ["sample", "timestep", "encoder_hidden_states", "text_embeds", "time_ids"];
        OrtValue[] values = [sample, timestep, hidden, pooled, timeIds];
        using var runOptions = new RunOptions();
        session.Run(runOptions, names, values, ["out_sample"]).Dispose();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) session.Run(runOptions, names, values, ["out_sample"]).Dispose();
        double rawMs = clock.Elapsed.TotalMilliseconds / steps;
        Console.WriteLine($"{size,4}x{size,-4} {pipelineMs,14:F3} {rawMs,12:F3} {pipelineMs / rawMs,14:F2}");
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
