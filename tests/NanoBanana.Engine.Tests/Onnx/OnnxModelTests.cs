using NanoBanana.Onnx;
using NanoBanana.Onnx.Proto;

namespace NanoBanana.Engine.Tests.Onnx;

public sealed class OnnxModelTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nb-onnx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string ModelPath => Path.Combine(_dir, "model.onnx");

    private string DataPath => Path.Combine(_dir, "model.onnx_data");

    /// <summary>y = (x · w1) + w2 with w1 external (1 KiB and over) and w2 inline.</summary>
    private void WriteModel()
    {
        var b = new OnnxGraphBuilder("two-weights");
        b.AddInput("x", OnnxDataType.Float, 1, 300);
        b.AddOutput("y", OnnxDataType.Float, 1, 300);
        using (var data = new ExternalDataWriter(DataPath))
        {
            b.ExternalData = data;
            b.AddInitializer("w1", new long[] { 300 }, Enumerable.Range(0, 300).Select(i => i * 0.25f).ToArray());
            b.AddInitializer("w2", new long[] { 3 }, new[] { 1f, 2f, 3f });
            b.ExternalData = null;
        }
        string scaled = b.Op("Mul", "/scale", new[] { "x", "w1" });
        b.AddNode("Add", new[] { scaled, "w2_broadcast" }, new[] { "y" });
        b.AddInitializer("w2_broadcast", new long[] { 1 }, new[] { 0.5f });
        b.Save(ModelPath);
    }

    [Fact]
    public void ReadsExternalAndInlineInitializersOnDemand()
    {
        WriteModel();
        var model = OnnxModel.Load(ModelPath);

        var w1 = model.Describe("w1");
        Assert.True(w1.IsExternal);
        Assert.Equal("model.onnx_data", w1.ExternalLocation);
        Assert.Equal(1200, w1.ByteLength);
        Assert.Equal(74.75f, model.ReadFloats("w1")[299]);
        Assert.False(model.Describe("w2").IsExternal);
        Assert.Equal(new[] { 1f, 2f, 3f }, model.ReadFloats("w2"));
    }

    [Fact]
    public void TruncatedDataFileIsNamedWithTheTensorAndTheFix()
    {
        WriteModel();
        using (var stream = new FileStream(DataPath, FileMode.Open)) stream.SetLength(600);
        var error = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(ModelPath).ReadBytes("w1"));
        Assert.Contains("'w1'", error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void OffsetPastTheEndAndMissingDataFileAreClearErrors()
    {
        WriteModel();
        var proto = OnnxModelFile.Load(ModelPath);
        var offset = proto.Graph.Initializer.Single(t => t.Name == "w1").ExternalData.Single(e => e.Key == "offset");
        offset.Value = "999999";
        OnnxModelFile.Save(proto, ModelPath);
        Assert.Contains("999999", Assert.Throws<InvalidDataException>(() => OnnxModel.Load(ModelPath).ReadBytes("w1")).Message);

        File.Delete(DataPath);
        Assert.Contains("missing", Assert.Throws<FileNotFoundException>(() => OnnxModel.Load(ModelPath).ReadBytes("w1")).Message);
    }

    [Fact]
    public void GraphKnowsProducersConsumersAndATopologicalOrder()
    {
        WriteModel();
        var proto = OnnxModelFile.Load(ModelPath);
        var nodes = proto.Graph.Node.Reverse().ToList(); // out of order on purpose
        proto.Graph.Node.Clear();
        proto.Graph.Node.AddRange(nodes);
        var graph = new OnnxGraph(proto.Graph);

        Assert.Equal(new[] { "Mul", "Add" }, graph.TopologicalOrder().Select(n => n.OpType));
        Assert.Equal("Mul", graph.Producer("/scale_output_0")!.OpType);
        Assert.Null(graph.Producer("x"));
        Assert.Equal("Mul", Assert.Single(graph.Consumers("w1")).OpType);
    }

    [Fact]
    public void CyclesAreReportedWithANode()
    {
        var graph = new GraphProto { Name = "loop" };
        graph.Node.Add(new NodeProto { Name = "a", OpType = "Relu", Input = { "b_out" }, Output = { "a_out" } });
        graph.Node.Add(new NodeProto { Name = "b", OpType = "Relu", Input = { "a_out" }, Output = { "b_out" } });
        Assert.Contains("cycle", Assert.Throws<InvalidDataException>(() => new OnnxGraph(graph).TopologicalOrder()).Message);
    }

    [Fact]
    public void GarbageIsNotAModel()
    {
        File.WriteAllBytes(ModelPath, new byte[] { 0xFF, 0xFF, 0xFF, 0x01, 0x02 });
        Assert.Contains("not a valid ONNX model", Assert.Throws<InvalidDataException>(() => OnnxModel.Load(ModelPath)).Message);
    }
}
