using NanoBanana.Pipeline;
using NanoBanana.Runtime;

namespace NanoBanana;

/// <summary>
/// The engine's open pipelines, one per model folder, each kept with its sessions while renders follow the same plan.
/// A render whose <see cref="MemoryPolicy"/> plans differently (another mode, budget or segment size) replaces the
/// model's pipeline; rows of one size therefore load each file once.
/// </summary>
internal sealed class PipelineCache
{
    /// <summary>What a pipeline was built for: the parts of a policy that change its sessions or segments.</summary>
    sealed record Plan(MemoryMode Mode, long WeightBudgetFileBytes, long SegmentFileBytes);

    readonly Dictionary<string, (Plan Plan, TextToImagePipeline Pipeline)> _open = new(StringComparer.Ordinal);
    readonly object _gate = new();

    public TextToImagePipeline Get(EngineSession session, string modelFolder, MemoryPolicy policy, string segmentCacheRoot)
    {
        var model = session.OpenModel(modelFolder);
        var plan = new Plan(policy.Mode, policy.WeightBudgetFileBytes, policy.SegmentFileBytes);
        lock (_gate)
        {
            if (_open.TryGetValue(model.Folder, out var open))
            {
                if (open.Plan == plan) return open.Pipeline;
                open.Pipeline.Dispose();
            }
            var pipeline = PipelineBuilder.Build(model, policy, session.CreateSessionOptions, segmentCacheRoot, session.Options.Device);
            _open[model.Folder] = (plan, pipeline);
            return pipeline;
        }
    }

    /// <summary>The open pipeline of a folder, if any.</summary>
    public TextToImagePipeline? Find(string modelFolder)
    {
        lock (_gate) return _open.TryGetValue(Path.GetFullPath(modelFolder), out var open) ? open.Pipeline : null;
    }

    public IReadOnlyList<TextToImagePipeline> All
    {
        get { lock (_gate) return _open.Values.Select(o => o.Pipeline).ToArray(); }
    }

    /// <summary>Disposes a model's pipeline and sessions.</summary>
    public void Release(string modelFolder)
    {
        lock (_gate)
            if (_open.Remove(Path.GetFullPath(modelFolder), out var open)) open.Pipeline.Dispose();
    }

    /// <summary>Disposes every pipeline and its sessions.</summary>
    public void ReleaseAll()
    {
        lock (_gate)
        {
            foreach (var (_, pipeline) in _open.Values) pipeline.Dispose();
            _open.Clear();
        }
    }
}
