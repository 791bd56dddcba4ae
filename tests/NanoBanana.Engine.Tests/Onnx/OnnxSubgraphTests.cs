using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NanoBanana.Onnx;

namespace NanoBanana.Engine.Tests.Onnx;

public sealed class OnnxSubgraphTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nb-subgraph-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>h = relu(x·w1); y = h·w2 + x (a skip connection crossing the cut), weights external.</summary>
    private string WriteModel()
    {
        var b = new OnnxGraphBuilder("chain");
        b.AddInput("x", OnnxDataType.Float, 1, 512);
        b.AddOutput("y", OnnxDataType.Float, 1, 512);
        using (var data = new ExternalDataWriter(Path.Combine(_dir, "model.onnx_data")))
        {
            b.ExternalData = data;
            b.AddInitializer("w1", new long[] { 512 }, Enumerable.Range(0, 512).Select(i => (i % 7 - 3) * 0.5f).ToArray());
            b.AddInitializer("w2", new long[] { 512 }, Enumerable.Range(0, 512).Select(i => (i % 5) * 0.25f).ToArray());
            b.ExternalData = null;
        }
        string scaled = b.Op("Mul", "/block0/scale", new[] { "x", "w1" });
        string h = b.Op("Relu", "/block0/act", new[] { scaled });
        string back = b.Op("Mul", "/block1/scale", new[] { h, "w2" });
        b.AddNode("Add", new[] { back, "x" }, new[] { "y" }, "/block1/skip");
        string path = Path.Combine(_dir, "model.onnx");
        b.Save(path);
        return path;
    }

    [Fact]
    public void SegmentsRunInSequenceEqualTheWholeModelAndShareTheOriginalWeightsFile()
    {
        string path = WriteModel();
        var model = OnnxModelFile.Load(path);
        var order = new OnnxGraph(model.Graph).TopologicalOrder();
        var first = OnnxSubgraph.Extract(model, order.Take(2).ToList(), "segment0");
        var second = OnnxSubgraph.Extract(model, order.Skip(2).ToList(), "segment1");

        Assert.Equal(new[] { "x" }, first.Graph.Input.Select(i => i.Name));
        Assert.Equal(new[] { "/block0/act_output_0" }, first.Graph.Output.Select(o => o.Name));
        Assert.Equal(new[] { "/block0/act_output_0", "x" }, second.Graph.Input.Select(i => i.Name).Order());

        // Segments are loaded from memory and read their weights from the original data file: no weight copy.
        // (ORT 1.31 refuses segment files elsewhere whose location is "../model.onnx_data": see the next test.)
        var x = new DenseTensor<float>(Enumerable.Range(0, 512).Select(i => (i % 11 - 5) * 0.3f).ToArray(), new[] { 1, 512 });
        using var whole = new InferenceSession(path);
        using var options = OnnxSubgraph.SessionOptionsFor(_dir);
        using var s0 = new InferenceSession(OnnxModelFile.ToBytes(first), options);
        using var s1 = new InferenceSession(OnnxModelFile.ToBytes(second), options);
        using var expected = whole.Run(new[] { NamedOnnxValue.CreateFromTensor("x", x) });
        using var hidden = s0.Run(new[] { NamedOnnxValue.CreateFromTensor("x", x) });
        var h = hidden.Single().AsTensor<float>().ToDenseTensor();
        using var actual = s1.Run(new[] { NamedOnnxValue.CreateFromTensor("x", x), NamedOnnxValue.CreateFromTensor("/block0/act_output_0", h) });

        Assert.Equal(expected.Single().AsTensor<float>().ToArray(), actual.Single().AsTensor<float>().ToArray());
    }

    [Fact]
    public void OnnxRuntimeRefusesSegmentFilesWhoseWeightsLiveOutsideTheirFolder()
    {
        var model = OnnxModelFile.Load(WriteModel());
        var segment = OnnxSubgraph.Extract(model, new OnnxGraph(model.Graph).TopologicalOrder().Take(2).ToList(), "segment0");
        OnnxSubgraph.RelocateExternalData(segment, "../model.onnx_data");
        string file = Path.Combine(Directory.CreateDirectory(Path.Combine(_dir, "segments")).FullName, "segment0.onnx");
        OnnxModelFile.Save(segment, file);

        var error = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession(file));
        Assert.Contains("escapes model directory", error.Message);
    }
}
