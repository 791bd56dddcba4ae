using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using NanoBanana.Lora;
using NanoBanana.Onnx;

// A transformer-like stack of Linear layers named as torch.onnx names SDXL attention projections
// (anonymous onnx::MatMul_* weights in external data), big enough that one run takes real time.
int layers = args.Length > 0 ? int.Parse(args[0]) : 24, width = 640, tokens = 1024, rank = 16;
string folder = Directory.CreateTempSubdirectory("nb-bench-lora-").FullName;
try
{
    string unet = Directory.CreateDirectory(Path.Combine(folder, "unet")).FullName;
    var b = new OnnxGraphBuilder("unet");
    b.AddInput("sample", OnnxDataType.Float, 1, tokens, width);
    var random = new Random(1);
    using (var data = new ExternalDataWriter(Path.Combine(unet, "model.onnx_data")))
    {
        b.ExternalData = data;
        for (int i = 0; i < layers; i++)
            b.AddInitializer($"onnx::MatMul_{1000 + i}", new long[] { width, width },
                Enumerable.Range(0, width * width).Select(_ => (random.NextSingle() * 2 - 1) / MathF.Sqrt(width)).ToArray());
        b.ExternalData = null;
    }
    string x = "sample";
    for (int i = 0; i < layers; i++)
        x = b.Op("Tanh", $"/down_blocks.0/attentions.0/transformer_blocks.{i}/Tanh",
            new[] { b.Op("MatMul", $"/down_blocks.0/attentions.0/transformer_blocks.{i}/attn1/to_q/MatMul", new[] { x, $"onnx::MatMul_{1000 + i}" }) });
    b.AddNode("Identity", new[] { x }, new[] { "out_sample" });
    b.AddOutput("out_sample", OnnxDataType.Float, 1, tokens, width);
    string basePath = Path.Combine(unet, "model.onnx");
    b.Save(basePath);

    SyntheticLora.Create(folder, Path.Combine(folder, "a.safetensors"), rank, LoraKeyFormat.Kohya, 2);
    var adapter = LoraAdapter.Load(Path.Combine(folder, "a.safetensors"));

    var sw = Stopwatch.StartNew();
    var injected = LoraGraphInjector.Inject(OnnxModelFile.Load(basePath), new[] { adapter });
    string injectedPath = Path.Combine(unet, "model.lora.onnx");
    OnnxModelFile.Save(injected.Model, injectedPath);
    double injectMs = sw.Elapsed.TotalMilliseconds;

    double Create(string path, out InferenceSession session)
    {
        var t = Stopwatch.StartNew();
        session = new InferenceSession(path);
        return t.Elapsed.TotalMilliseconds;
    }

    var sample = new float[tokens * width];
    for (int i = 0; i < sample.Length; i++) sample[i] = MathF.Sin(i * 0.01f);
    double Runs(InferenceSession session, Func<int, float> weight, int count)
    {
        using var options = new RunOptions();
        var t = new Stopwatch();
        for (int r = -2; r < count; r++) // two warm-up runs
        {
            if (r == 0) t.Start();
            var inputs = LoraScales.CreateInputs(session.InputMetadata.Keys, new Dictionary<string, float> { ["a"] = weight(r) });
            inputs["sample"] = OrtValue.CreateTensorValueFromMemory(sample, new long[] { 1, tokens, width });
            using (session.Run(options, inputs, new[] { "out_sample" })) { }
            foreach (var v in inputs.Values) v.Dispose();
        }
        return t.Elapsed.TotalMilliseconds / count;
    }

    const int count = 10;
    double baseCreate = Create(basePath, out var baseSession);
    double injCreate = Create(injectedPath, out var injSession);
    double baseRun = Runs(baseSession, _ => 0, count);
    double fixedRun = Runs(injSession, _ => 0.8f, count);
    double switchingRun = Runs(injSession, r => r % 2 == 0 ? 0.4f : 1.2f, count);
    var scaleSw = Stopwatch.StartNew();
    for (int i = 0; i < 1000; i++)
        foreach (var v in LoraScales.CreateInputs(injSession.InputMetadata.Keys, new Dictionary<string, float> { ["a"] = i * 0.001f }).Values) v.Dispose();
    double scaleUs = scaleSw.Elapsed.TotalMilliseconds; // per 1000 → µs each

    // The merged alternative: every weight change rewrites the model and rebuilds the session.
    sw.Restart();
    string merged = LoraMerger.WriteMergedModel(folder, new[] { adapter }, new[] { 1.2f }, Path.Combine(folder, "merged"));
    double mergeMs = sw.Elapsed.TotalMilliseconds;
    double mergedCreate = Create(merged, out var mergedSession);
    double mergedRun = Runs(mergedSession, _ => 0, count);
    baseSession.Dispose(); injSession.Dispose(); mergedSession.Dispose();

    long baseBytes = new FileInfo(Path.Combine(unet, "model.onnx_data")).Length;
    Console.WriteLine($"model: {layers} Linear {width}x{width} layers over {tokens} tokens ({baseBytes / 1e6:F1} MB external data), LoRA rank {rank} on all {injected.AppliedTargets} layers, ORT CPU, {Environment.ProcessorCount} cores");
    Console.WriteLine($"| step | time |");
    Console.WriteLine($"|---|---|");
    Console.WriteLine($"| inject + save injected model.onnx ({new FileInfo(injectedPath).Length / 1e6:F2} MB, A/B inline) | {injectMs:F0} ms |");
    Console.WriteLine($"| session create: base | {baseCreate:F0} ms |");
    Console.WriteLine($"| session create: injected | {injCreate:F0} ms |");
    Console.WriteLine($"| run: base | {baseRun:F1} ms |");
    Console.WriteLine($"| run: injected, fixed weight 0.8 | {fixedRun:F1} ms |");
    Console.WriteLine($"| run: injected, weight alternating 0.4/1.2 every run | {switchingRun:F1} ms |");
    Console.WriteLine($"| building the scale inputs for a new weight | {scaleUs:F1} µs |");
    Console.WriteLine($"| merged alternative: write merged copy | {mergeMs:F0} ms |");
    Console.WriteLine($"| merged alternative: session create | {mergedCreate:F0} ms |");
    Console.WriteLine($"| run: merged | {mergedRun:F1} ms |");
}
finally
{
    Directory.Delete(folder, recursive: true);
}
