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
        var sessions = new ModelSessions(model, sessionOptions, policy.WeightBudgetFileBytes, cpuComponents, policy.PagesStreamedWeights(device));
        IUnetRunner runner = policy.SegmentsUnet
            ? new SegmentedUnetRunner(sessions, UnetSegmentCache.Load(model[DiffusionModel.Unet].Path, policy.SegmentFileBytes, segmentCacheRoot), policy.ReleasesAfterUse)
            : SegmentedUnetRunner.Whole(sessions);
        return new TextToImagePipeline(sessions, runner);
    }
}
