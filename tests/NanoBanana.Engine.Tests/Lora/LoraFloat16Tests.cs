using Microsoft.ML.OnnxRuntime;
using NanoBanana.Lora;
using NanoBanana.Onnx;
using NanoBanana.Onnx.Proto;

namespace NanoBanana.Engine.Tests.Lora;

public class LoraFloat16Tests
{
    [Fact]
    public void Float16LayersGetFloat16BranchesDrivenByAFloatScale()
    {
        using var dir = new TempFolder();
        string unet = Directory.CreateDirectory(Path.Combine(dir.Path, "unet")).FullName;
        var random = new Random(4);
        var b = new OnnxGraphBuilder("unet");
        b.AddInput("sample", OnnxDataType.Float16, 1, 4, 8);
        b.AddOutput("out_sample", OnnxDataType.Float16, 1, 4, 8);
        b.AddInitializer("onnx::MatMul_7", new long[] { 8, 8 }, Enumerable.Range(0, 64).Select(_ => (Half)(random.NextSingle() - 0.5f)).ToArray());
        b.AddNode("MatMul", new[] { "sample", "onnx::MatMul_7" }, new[] { "out_sample" }, "/mid_block/attentions.0/transformer_blocks.0/attn1/to_v/MatMul");
        string basePath = Path.Combine(unet, "model.onnx");
        b.Save(basePath);
        SyntheticLora.Create(dir.Path, dir.File("h.safetensors"), 2, LoraKeyFormat.Peft, 9);
        var adapter = LoraAdapter.Load(dir.File("h.safetensors"));

        var result = LoraGraphInjector.Inject(OnnxModelFile.Load(basePath), new[] { adapter });
        Assert.Equal(1, result.AppliedTargets);
        Assert.Contains(result.Model.Graph.Node, n => n.OpType == "Cast");
        Assert.All(result.Model.Graph.Initializer, t => Assert.Equal((int)OnnxDataType.Float16, t.DataType));
        string injected = Path.Combine(unet, "model.lora.onnx");
        OnnxModelFile.Save(result.Model, injected);
        string merged = LoraMerger.WriteMergedModel(dir.Path, new[] { adapter }, new[] { 1f }, dir.File("merged"));

        float[] Run(string path, float weight)
        {
            using var session = new InferenceSession(path);
            var inputs = LoraScales.CreateInputs(session.InputMetadata.Keys, new Dictionary<string, float> { ["h"] = weight });
            // ORT's managed API takes its own Float16 struct, bit-compatible with System.Half.
            var sample = Enumerable.Range(0, 32).Select(i => new Float16(BitConverter.HalfToUInt16Bits((Half)MathF.Cos(i)))).ToArray();
            inputs["sample"] = OrtValue.CreateTensorValueFromMemory(sample, new long[] { 1, 4, 8 });
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, inputs, new[] { "out_sample" });
            var values = outputs[0].GetTensorDataAsSpan<Float16>().ToArray().Select(h => (float)BitConverter.UInt16BitsToHalf(h.value)).ToArray();
            foreach (var v in inputs.Values) v.Dispose();
            return values;
        }

        Assert.Equal(Run(basePath, 0), Run(injected, 0));
        float diff = LoraTestSupport.MaxAbsDiff(Run(merged, 1), Run(injected, 1));
        Assert.True(diff < 1e-2f, $"fp16 max |injected − merged| = {diff}");
    }
}
