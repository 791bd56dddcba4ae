using Microsoft.ML.OnnxRuntime;
using NanoBanana.Onnx;

namespace NanoBanana.Runtime;

/// <summary>
/// ONNX Runtime's CPU arena, one per process and shared by every session. Buffers freed inside a run are reused by
/// the next allocations; free regions go back to the system only when the arena is shrunk. A run can shrink it at its
/// end (<see cref="ShrinkAfter"/>), and <see cref="Shrink"/> does so between runs, so the UNet's runner can keep the
/// arena from one segment to the next while the budget has room (every region given back and mapped again costs a
/// page fault per 4 KiB) and give it back when it has not.
/// </summary>
public static class CpuArena
{
    const string ShrinkEntry = "memory.enable_memory_arena_shrinkage", Cpu = "cpu:0";

    static readonly Lazy<bool> Registered = new(() =>
    {
        // kSameAsRequested (1): the arena grows by the block asked for, not in doubling regions, so its peak is the
        // activations' peak; maxMemory 0 and -1 keep ORT's defaults. Registered once per process.
        // The memory info must name an arena allocator, or runs cannot find it to shrink.
        using var arena = new OrtArenaCfg(0, 1, -1, -1);
        using var info = new OrtMemoryInfo(OrtMemoryInfo.allocatorCPU, OrtAllocatorType.ArenaAllocator, 0, OrtMemType.Default);
        OrtEnvironment.Instance.CreateAndRegisterAllocator(info, arena);
        return true;
    });

    static readonly Lazy<InferenceSession> Shrinker = new(CreateShrinker);
    static readonly object ShrinkGate = new();

    /// <summary>Has the session allocate its activations (and only those: weights are allocated on their own and freed
    /// with their session) from the shared arena.</summary>
    public static void Share(SessionOptions options)
    {
        _ = Registered.Value;
        options.EnableCpuMemArena = true;
        options.AddSessionConfigEntry("session.use_env_allocators", "1");
        options.AddSessionConfigEntry("session.use_device_allocator_for_initializers", "1");
    }

    /// <summary>Has the run give the arena's free regions back to the system when it ends.</summary>
    public static void ShrinkAfter(RunOptions options) => options.AddRunConfigEntry(ShrinkEntry, Cpu);

    /// <summary>Gives the arena's free regions back now. ONNX Runtime shrinks only at the end of a run, so this runs a
    /// one-value Identity graph into a caller-owned output: the run itself takes nothing from the arena that would keep
    /// a region in use.</summary>
    public static void Shrink()
    {
        if (!Registered.IsValueCreated) return; // no session has used the arena yet
        float[] input = [0f], output = [0f];
        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, [1]);
        using var outputValue = OrtValue.CreateTensorValueFromMemory(output, [1]);
        using var options = new RunOptions();
        ShrinkAfter(options);
        lock (ShrinkGate) Shrinker.Value.Run(options, ["x"], [inputValue], ["y"], [outputValue]);
    }

    /// <summary>Shrinks the arena when the process holds more than <paramref name="residentLimitBytes"/>; true if it did.</summary>
    public static bool ShrinkAbove(long residentLimitBytes)
    {
        if (residentLimitBytes == long.MaxValue || ProcessMemory.CurrentBytes() <= residentLimitBytes) return false;
        Shrink();
        return true;
    }

    static InferenceSession CreateShrinker()
    {
        var graph = new OnnxGraphBuilder("arena_shrink");
        graph.AddInput("x", OnnxDataType.Float, 1L);
        graph.AddOutput("y", OnnxDataType.Float, 1L);
        graph.AddNode("Identity", ["x"], ["y"]);
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        OrtEnvironment.UseSharedThreads(options);
        Share(options);
        return new InferenceSession(OnnxModelFile.ToBytes(graph.Model), options);
    }
}
