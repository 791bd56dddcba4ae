using Xunit.Abstractions;
using NanoBanana.Lora;
using NanoBanana.Onnx;
using NanoBanana.Onnx.Proto;
using static NanoBanana.Engine.Tests.Lora.LoraTestSupport;

namespace NanoBanana.Engine.Tests.Lora;

public class LoraGraphInjectorTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(LoraKeyFormat.Kohya)]
    [InlineData(LoraKeyFormat.Peft)]
    public void InjectedBranchesMatchTheOfflineMergedModelAtEveryWeight(LoraKeyFormat format)
    {
        using var dir = new TempFolder();
        string basePath = TinyUnetModel.Create(dir.Path);
        int written = SyntheticLora.Create(dir.Path, dir.File("style.safetensors"), rank: 4, format, seed: 7);
        var adapter = LoraAdapter.Load(dir.File("style.safetensors"));
        Assert.Equal(format, adapter.Format);
        Assert.Equal(6, written); // conv_in (3×3), to_q (Named), to_k (TorchExport), to_out.0 (Gemm), ff.net.0.proj, ff.net.2

        string injected = InjectNextToBase(basePath, new[] { adapter }, out var result);
        Assert.Equal(6, result.AppliedTargets);
        Assert.Empty(result.Mapping.Unmatched);
        Assert.Equal(new[] { "lora_scale.style" }, result.ScaleInputs);

        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(injected);
        float[] baseline = Run(basePath);
        foreach (float weight in new[] { 0.4f, 0.8f, 1.2f })
        {
            string merged = LoraMerger.WriteMergedModel(dir.Path, new[] { adapter }, new[] { weight }, dir.File($"merged-{weight}"));
            float[] expected = Run(merged);
            float[] actual = Run(session, new Dictionary<string, float> { ["style"] = weight });
            output.WriteLine($"{format} weight {weight}: max |injected − merged| = {MaxAbsDiff(expected, actual):E2}, max |injected − base| = {MaxAbsDiff(baseline, actual):F3}");
            Assert.True(MaxAbsDiff(expected, actual) < 1e-4f, $"weight {weight}: max |injected − merged| = {MaxAbsDiff(expected, actual)}");
            Assert.True(MaxAbsDiff(baseline, actual) > 1e-2f, $"weight {weight} should visibly change the output");
        }
    }

    [Fact]
    public void WeightZeroEqualsTheBaseModelExactly()
    {
        using var dir = new TempFolder();
        string basePath = TinyUnetModel.Create(dir.Path);
        SyntheticLora.Create(dir.Path, dir.File("a.safetensors"), 4, LoraKeyFormat.Kohya, 3);
        string injected = InjectNextToBase(basePath, new[] { LoraAdapter.Load(dir.File("a.safetensors")) }, out _);
        Assert.Equal(Run(basePath), Run(injected, new Dictionary<string, float> { ["a"] = 0f }));
    }

    [Fact]
    public void TwoAdaptersAddUpLikeTheirMergedSum()
    {
        using var dir = new TempFolder();
        string basePath = TinyUnetModel.Create(dir.Path);
        SyntheticLora.Create(dir.Path, dir.File("a.safetensors"), 4, LoraKeyFormat.Kohya, 11);
        SyntheticLora.Create(dir.Path, dir.File("b.safetensors"), 2, LoraKeyFormat.Peft, 12);
        var adapters = new[] { LoraAdapter.Load(dir.File("a.safetensors")), LoraAdapter.Load(dir.File("b.safetensors")) };
        string injected = InjectNextToBase(basePath, adapters, out var result);
        Assert.Equal(12, result.AppliedTargets);

        string merged = LoraMerger.WriteMergedModel(dir.Path, adapters, new[] { 0.7f, 1.1f }, dir.File("merged"));
        float diff = MaxAbsDiff(Run(merged), Run(injected, new Dictionary<string, float> { ["a"] = 0.7f, ["b"] = 1.1f }));
        output.WriteLine($"two adapters (0.7, 1.1): max |injected − merged| = {diff:E2}");
        Assert.True(diff < 1e-4f, $"max |injected − merged| = {diff}");
    }

    [Fact]
    public void BaseInitializersStayUntouchedAndExternal()
    {
        using var dir = new TempFolder();
        string basePath = TinyUnetModel.Create(dir.Path);
        SyntheticLora.Create(dir.Path, dir.File("a.safetensors"), 4, LoraKeyFormat.Peft, 5);
        var baseModel = OnnxModelFile.Load(basePath);
        var result = LoraGraphInjector.Inject(baseModel, new[] { LoraAdapter.Load(dir.File("a.safetensors")) });

        foreach (var original in baseModel.Graph.Initializer)
            Assert.Equal(original, result.Model.Graph.Initializer.Single(t => t.Name == original.Name));
        var added = result.Model.Graph.Initializer.Where(t => baseModel.Graph.Initializer.All(o => o.Name != t.Name)).ToList();
        Assert.Equal(12, added.Count); // one down/A and one up/B factor per layer
        Assert.All(added, t => Assert.Equal(TensorProto.Types.DataLocation.Default, t.DataLocation));
    }

    [Fact]
    public void TargetsOutsideTheGraphAreReportedNotThrown()
    {
        using var dir = new TempFolder();
        string basePath = TinyUnetModel.Create(dir.Path);
        var model = OnnxModelFile.Load(basePath);
        // A "segment" holding only conv_in: every other target lies in another segment.
        var segment = model.Clone();
        var keep = segment.Graph.Node.TakeWhile(n => n.Name != "/Transpose").ToList();
        segment.Graph.Node.Clear();
        segment.Graph.Node.AddRange(keep);
        SyntheticLora.Create(dir.Path, dir.File("a.safetensors"), 4, LoraKeyFormat.Kohya, 5);

        var result = LoraGraphInjector.Inject(segment, new[] { LoraAdapter.Load(dir.File("a.safetensors")) });
        Assert.Equal(1, result.AppliedTargets);
        Assert.Equal(5, result.Mapping.Unmatched.Count);
        Assert.StartsWith("5 LoRA key(s) match no layer", result.Mapping.Warning);
        Assert.Contains("lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q", result.Mapping.Warning);
    }

    [Fact]
    public void ALoraForAnotherModelSizeNamesKeyAndShapes()
    {
        using var dir = new TempFolder();
        string basePath = TinyUnetModel.Create(dir.Path);
        const string stem = "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q";
        SafetensorsWriter.Write(dir.File("wide.safetensors"), new (string, long[], float[])[]
        {
            (stem + ".lora_down.weight", new long[] { 2, 16 }, new float[32]),
            (stem + ".lora_up.weight", new long[] { 16, 2 }, new float[32]),
        });
        var ex = Assert.Throws<InvalidDataException>(() =>
            LoraGraphInjector.Inject(OnnxModelFile.Load(basePath), new[] { LoraAdapter.Load(dir.File("wide.safetensors")) }));
        Assert.Contains(stem, ex.Message);
        Assert.Contains("[out 16, in 16, 1x1]", ex.Message);
        Assert.Contains("[out 8, in 8, 1x1]", ex.Message);
    }
}
