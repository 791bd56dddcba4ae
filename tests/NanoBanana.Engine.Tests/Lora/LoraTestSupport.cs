using Microsoft.ML.OnnxRuntime;
using NanoBanana.Lora;
using NanoBanana.Onnx;

namespace NanoBanana.Engine.Tests.Lora;

internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("nb-lora-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

internal static class LoraTestSupport
{
    public static readonly float[] Sample = Enumerable.Range(0, 4 * 6 * 6).Select(i => MathF.Sin(i * 0.37f)).ToArray();

    /// <summary>Runs a model on the fixed sample, with the given LoRA weights for any scale inputs it declares.</summary>
    public static float[] Run(string modelPath, IReadOnlyDictionary<string, float>? weights = null)
    {
        using var session = new InferenceSession(modelPath);
        return Run(session, weights);
    }

    public static float[] Run(InferenceSession session, IReadOnlyDictionary<string, float>? weights = null)
    {
        var inputs = LoraScales.CreateInputs(session.InputMetadata.Keys, weights ?? new Dictionary<string, float>());
        inputs["sample"] = OrtValue.CreateTensorValueFromMemory(Sample, new long[] { 1, 4, 6, 6 });
        try
        {
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, inputs, new[] { "out_sample" });
            return outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }
        finally
        {
            foreach (var v in inputs.Values) v.Dispose();
        }
    }

    /// <summary>Injects and saves next to the base model so the external data references still resolve.</summary>
    public static string InjectNextToBase(string basePath, IReadOnlyList<LoraAdapter> adapters, out LoraInjectionResult result)
    {
        result = LoraGraphInjector.Inject(OnnxModelFile.Load(basePath), adapters);
        string path = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(basePath)!, "model.lora.onnx");
        OnnxModelFile.Save(result.Model, path);
        return path;
    }

    public static float MaxAbsDiff(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        float max = 0;
        for (int i = 0; i < a.Length; i++) max = MathF.Max(max, MathF.Abs(a[i] - b[i]));
        return max;
    }
}
