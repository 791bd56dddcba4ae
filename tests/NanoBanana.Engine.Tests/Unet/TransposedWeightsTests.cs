using Microsoft.ML.OnnxRuntime;
using NanoBanana.Engine.Tests.Synthetic;
using NanoBanana.Models;
using NanoBanana.Onnx;
using NanoBanana.Onnx.Proto;
using NanoBanana.Runtime;
using NanoBanana.Unet;

namespace NanoBanana.Engine.Tests.Unet;

public sealed class TransposedWeightsTests(SyntheticModels models) : IClassFixture<SyntheticModels>
{
    static int TransposedInitializers(ModelProto model)
    {
        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        return model.Graph.Node.Count(n => n.OpType == "Transpose" && initializers.Contains(n.Input[0]));
    }

    /// <summary>The whole UNet's output, run as a streamed segment is (no optimisation, no pre-packing).</summary>
    static float[] RunStreamed(DiffusionModel model, ModelProto graph)
    {
        var unet = model[DiffusionModel.Unet];
        using var options = ModelSessions.StreamedOptions(Path.GetDirectoryName(unet.Path)!, ExecutionProviders.CreateSessionOptions(ExecutionDevice.Cpu));
        using var session = new InferenceSession(Google.Protobuf.MessageExtensions.ToByteArray(graph), options);
        return SegmentedUnetTests.RunOnInputs(session, model, unet.Inputs.Select(i => i.Name).ToArray(), unet.Outputs[0].Name);
    }

    [Fact]
    public void Matmuls_read_transposed_weights_in_place_and_compute_the_same()
    {
        var model = DiffusionModel.Open(models.Xl);
        var original = OnnxModel.Load(model[DiffusionModel.Unet].Path).Proto;
        var rewritten = original.Clone();
        int before = TransposedInitializers(original);
        Assert.True(before > 0, "the Named layout feeds its linear weights through Transposes");

        int matMuls = TransposedWeights.ReadInPlace(rewritten);
        Assert.True(matMuls >= before, $"{matMuls} MatMuls rewritten for {before} transposed weights");
        Assert.Equal(0, TransposedInitializers(rewritten));
        Assert.Equal(matMuls, rewritten.Graph.Node.Count(n => n.OpType == TransposedWeights.FusedOpType && n.Domain == ContribOps.Domain));
        Assert.Contains(rewritten.OpsetImport, o => o.Domain == ContribOps.Domain);
        // The same weights, read in place: nothing is copied into the graph.
        Assert.Equal(original.Graph.Initializer.Select(t => t.Name), rewritten.Graph.Initializer.Select(t => t.Name));

        float[] expected = RunStreamed(model, original), actual = RunStreamed(model, rewritten);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5, $"element {i}: {expected[i]} vs {actual[i]}");
    }

    [Fact]
    public void A_model_exported_with_transposed_weights_is_left_as_it_is()
    {
        var graph = OnnxModel.Load(Path.Combine(models.XlTorch, "unet", "model.onnx")).Proto;
        var copy = graph.Clone();
        Assert.Equal(0, TransposedWeights.ReadInPlace(copy));
        Assert.Equal(graph, copy);
    }
}
