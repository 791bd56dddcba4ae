using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using NanoBanana.Onnx;
using NanoBanana.Runtime;

namespace NanoBanana.Engine.Tests.Runtime;

/// <summary>Tests that read the process's mappings while ONNX Runtime's shared arena grows and shrinks: no other test
/// runs beside them, so no other run takes from the arena or shrinks it meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SharedArenaCollection
{
    public const string Name = "Shared CPU arena";
}

[Collection(SharedArenaCollection.Name)]
public sealed class CpuArenaTests
{
    // One activation of an odd size (97 MiB and a bit), so the arena's region for it is the only mapping of that length.
    const long ActivationFloats = (97L << 20) / sizeof(float) + 1234, ActivationBytes = ActivationFloats * sizeof(float);

    /// <summary>y = ReduceSum(Expand(x, [n])): the expanded tensor lives only inside the run, in the arena.</summary>
    static InferenceSession LargeActivationSession()
    {
        var graph = new OnnxGraphBuilder("large_activation");
        graph.AddInput("x", OnnxDataType.Float, 1L);
        graph.AddOutput("y", OnnxDataType.Float, 1L);
        string shape = graph.Int64Constant("shape", ActivationFloats);
        graph.AddNode("Expand", ["x", shape], ["expanded"]);
        graph.AddNode("ReduceSum", ["expanded"], ["y"]);
        return new InferenceSession(OnnxModelFile.ToBytes(graph.Model), ExecutionProviders.CreateSessionOptions(ExecutionDevice.Cpu));
    }

    static float Run(InferenceSession session, bool keepArena)
    {
        using var x = OrtValue.CreateTensorValueFromMemory(new[] { 0.5f }, [1]);
        using var results = CancellableRun.Run(session, ["x"], [x], ["y"], CancellationToken.None, keepArena);
        return results[0].GetTensorDataAsSpan<float>()[0];
    }

    /// <summary>Whether the process maps a region the size of the activation (glibc adds a header, then a page).</summary>
    static bool ActivationRegionMapped() => File.ReadLines("/proc/self/maps").Any(line =>
    {
        string[] span = line.Split(' ', 2)[0].Split('-');
        long length = long.Parse(span[1], NumberStyles.HexNumber) - long.Parse(span[0], NumberStyles.HexNumber);
        return length >= ActivationBytes && length <= ActivationBytes + (1 << 20);
    });

    [Fact]
    public void A_kept_arena_holds_a_runs_regions_until_it_is_shrunk_and_a_plain_run_gives_them_back_at_its_end()
    {
        // /proc/self/maps is Linux's; elsewhere the runs and the shrink must still work.
        bool linux = OperatingSystem.IsLinux();
        using var session = LargeActivationSession();
        Assert.False(linux && ActivationRegionMapped());

        Assert.Equal(0.5f * ActivationFloats, Run(session, keepArena: true), ActivationFloats * 1e-3f);
        Assert.True(!linux || ActivationRegionMapped(), "the kept arena gave its region back");
        Assert.False(CpuArena.ShrinkAbove(long.MaxValue));
        Assert.True(!linux || ActivationRegionMapped(), "no limit, yet the arena was shrunk");
        Assert.True(CpuArena.ShrinkAbove(1));
        Assert.False(linux && ActivationRegionMapped(), "shrinking left the region mapped");

        Assert.Equal(0.5f * ActivationFloats, Run(session, keepArena: false), ActivationFloats * 1e-3f);
        Assert.False(linux && ActivationRegionMapped(), "a run that shrinks at its end kept the region");
    }
}
