using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using NanoBanana.Engine.Tests.Synthetic;
using NanoBanana.Models;
using NanoBanana.Onnx;
using NanoBanana.Runtime;
using NanoBanana.Unet;

namespace NanoBanana.Engine.Tests.Runtime;

public sealed class MappedWeightsTests(SyntheticModels models) : IClassFixture<SyntheticModels>
{
    /// <summary>The pages of this process's mappings that start at <paramref name="ranges"/>' addresses, from /proc/self/smaps.</summary>
    static long ResidentBytes(IEnumerable<(nint Start, long Length)> ranges)
    {
        var starts = ranges.Select(r => (long)r.Start).ToHashSet();
        long total = 0;
        bool counting = false;
        foreach (string line in File.ReadLines("/proc/self/smaps"))
        {
            int dash = line.IndexOf('-');
            if (dash > 0 && line.IndexOf(' ') > dash && long.TryParse(line[..dash], NumberStyles.HexNumber, null, out long start))
                counting = starts.Contains(start);
            else if (counting && line.StartsWith("Rss:", StringComparison.Ordinal))
                total += long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        return total;
    }

    [Fact]
    public void A_streamed_segment_maps_its_weights_and_gives_their_pages_back_without_changing_its_output()
    {
        if (!MappedWeights.IsSupported)
        {
            // Elsewhere ModelSessions releases streamed sessions instead (see SegmentedUnetTests).
            Assert.False(OperatingSystem.IsLinux());
            return;
        }
        var model = DiffusionModel.Open(models.Xl);
        string unetFolder = Path.GetDirectoryName(model[DiffusionModel.Unet].Path)!;
        var unet = OnnxModel.Load(model[DiffusionModel.Unet].Path);
        // The first segment: its inputs are the UNet's own.
        var segment = UnetPartitioner.Partition(unet, unet.Initializers.Sum(i => i.ByteLength) / 3 + 1)[0];
        var graph = segment.LoadGraph();
        byte[] bytes = Google.Protobuf.MessageExtensions.ToByteArray(graph);
        using (var optimisedOptions = OnnxSubgraph.SessionOptionsFor(unetFolder, ExecutionProviders.CreateSessionOptions(ExecutionDevice.Cpu)))
        using (new InferenceSession(bytes, optimisedOptions))
        {
            // Optimisation and pre-packing copy the weights: such a session has nothing it could page out.
            Assert.Null(MappedWeights.Find(graph, unetFolder));
        }
        using var options = ModelSessions.StreamedOptions(unetFolder, ExecutionProviders.CreateSessionOptions(ExecutionDevice.Cpu));
        using var session = new InferenceSession(bytes, options);

        var mapped = MappedWeights.Find(graph, unetFolder);
        Assert.NotNull(mapped);
        int external = graph.Graph.Initializer.Count(t => t.DataLocation == NanoBanana.Onnx.Proto.TensorProto.Types.DataLocation.External);
        // One mapping per external tensor, covering at least its bytes.
        Assert.Equal(external, mapped!.Ranges.Count);
        long mappedBytes = mapped.Ranges.Sum(r => r.Length);
        Assert.True(mappedBytes >= segment.WeightBytes, $"{mappedBytes} mapped bytes for {segment.WeightBytes} of weights");

        float[] Run() => Unet.SegmentedUnetTests.RunOnInputs(session, model, segment.Inputs, segment.Outputs[0]);
        float[] before = Run();
        Assert.True(ResidentBytes(mapped.Ranges) > segment.WeightBytes / 2, "the run touched its weights");
        Assert.True(mapped.PageOut());
        Assert.Equal(0, ResidentBytes(mapped.Ranges));
        Assert.Equal(before, Run());
        Assert.True(ResidentBytes(mapped.Ranges) > segment.WeightBytes / 2, "the next run faulted them back in");
    }
}
