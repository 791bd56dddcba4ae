using Microsoft.ML.OnnxRuntime;
using NanoBanana.Models;
using NanoBanana.Runtime;
using NanoBanana.Unet;

namespace NanoBanana.Pipeline;

/// <summary>Assembles a model's pipeline as a <see cref="MemoryPolicy"/> says: the session owner's budget and CPU
/// components, and the UNet whole or cut into cached segments.</summary>
public static class PipelineBuilder
{
    /// <param name="segmentCacheRoot">Where segment graphs are cached (<see cref="UnetSegmentCache"/>).</param>
    /// <param name="device">Where the sessions run: on the CPU Balanced pages streamed segments out (<see cref="MemoryPolicy.PagesStreamedWeights"/>).</param>
    public static TextToImagePipeline Build(DiffusionModel model, MemoryPolicy policy, Func<SessionOptions> sessionOptions, string segmentCacheRoot, ExecutionDevice device)
    {
        var cpuComponents = policy.TextEncodersOnCpu ? new HashSet<string> { DiffusionModel.TextEncoder, DiffusionModel.TextEncoder2 } : null;
        var sessions = new ModelSessions(model, policy.SegmentsUnet && !OrtEnvironment.SharesThreads ? () => WithoutSpinning(sessionOptions()) : sessionOptions,
            policy.WeightBudgetFileBytes, cpuComponents, policy.PagesStreamedWeights(device));
        IUnetRunner runner = policy.SegmentsUnet
            ? new SegmentedUnetRunner(sessions, UnetSegmentCache.Load(model[DiffusionModel.Unet].Path, policy.SegmentFileBytes, segmentCacheRoot), policy.ReleasesAfterUse,
                policy.ArenaLimitBytes(device))
            : SegmentedUnetRunner.Whole(sessions);
        return new TextToImagePipeline(sessions, runner);
    }

    /// <summary>
    /// Where sessions keep their own thread pools (something else created ONNX Runtime's environment:
    /// <see cref="OrtEnvironment.SharesThreads"/>), UNet segments take turns on the same cores, and each pool spins on
    /// after its run, stealing the cores from the next segment's. Small SDXL at 512², Balanced (15 sessions per step):
    /// 0.83–0.98 s per step without spinning, 1.26–1.51 s with it. A whole UNet keeps spinning, which serves the many
    /// short operators within its run: without it Full's batch-2 pass took 1.07× two batch-1 passes, against 0.97–1.01×
    /// with it (bench/RESULTS.md). The shared pool needs none of this: one pool serves the runs in turn.
    /// </summary>
    static SessionOptions WithoutSpinning(SessionOptions options)
    {
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }
}
