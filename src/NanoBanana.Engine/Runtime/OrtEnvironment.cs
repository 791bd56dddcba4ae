using Microsoft.ML.OnnxRuntime;

namespace NanoBanana.Runtime;

/// <summary>
/// ONNX Runtime's environment, which the engine creates once per process with one intra-op thread pool for every
/// session. With a pool per session, a segmented UNet's sessions (15 per step for the Small SDXL in Balanced) took
/// turns waking their own threads, and a pool still spinning after its run held the cores the next segment's pool
/// needed. One pool serves each run in turn and may spin between them. With it and the arena kept between segments
/// (<see cref="MemoryPolicy.ArenaLimitBytes(ExecutionDevice)"/>), Small SDXL's Balanced step at 512² took 1.03× Full's time, against
/// 1.32× before (bench <c>turns</c>, bench/RESULTS.md); Full's own step did not change. The environment is the
/// process's: if something else created it first, sessions keep their own pools (<see cref="SharesThreads"/> is false).
/// </summary>
public static class OrtEnvironment
{
    static readonly Lazy<bool> SharedPool = new(CreateWithSharedPool);

    /// <summary>The process's environment (created on first use).</summary>
    public static OrtEnv Instance
    {
        get
        {
            _ = SharedPool.Value;
            return OrtEnv.Instance();
        }
    }

    /// <summary>Whether sessions run on the environment's one thread pool.</summary>
    public static bool SharesThreads => SharedPool.Value;

    /// <summary>Has the session run on the shared pool, where there is one.</summary>
    public static void UseSharedThreads(SessionOptions options)
    {
        if (SharedPool.Value) options.DisablePerSessionThreads();
    }

    static bool CreateWithSharedPool()
    {
        if (OrtEnv.IsCreated) return false;
        // Default thread count (the physical cores) and spinning, as a session's own pool has.
        using var threading = new OrtThreadingOptions { GlobalSpinControl = true };
        var options = new EnvironmentCreationOptions { threadOptions = threading };
        OrtEnv.CreateInstanceWithOptions(ref options);
        return true;
    }
}
