using Microsoft.ML.OnnxRuntime;
using NanoBanana.Lora;
using NanoBanana.Models;
using NanoBanana.Onnx.Proto;
using NanoBanana.Runtime;

namespace NanoBanana.Unet;

/// <summary>
/// Evaluates the UNet segment by segment: each segment's session comes from <see cref="ModelSessions"/> (loaded
/// on demand, within the budget; those that fit stay resident, the rest stream — see <see cref="KeptSegments"/>), the
/// next one is prefetched while the current one runs, and boundary tensors
/// are handed from segment to segment and disposed right after their last reader. One segment is the whole UNet
/// (the Full mode). A render's LoRAs are injected into each segment's graph as it loads (unmerged branches whose
/// scale inputs carry the render's weights), so weights change between images for free. The CPU arena is kept from
/// run to run below the policy's limit and shrunk when the evaluation ends (<see cref="MemoryPolicy.ArenaLimitBytes(ExecutionDevice)"/>).
/// </summary>
public sealed class SegmentedUnetRunner : IUnetRunner
{
    readonly ModelSessions _sessions;
    readonly IReadOnlyList<UnetSegment> _segments;
    readonly IReadOnlySet<int> _kept;
    readonly Dictionary<string, int> _lastReader = new(StringComparer.Ordinal);
    readonly string _unetFolder;
    readonly long _arenaLimitBytes;
    LoraSnapshot _injected = LoraSnapshot.None;
    int _runCount;

    /// <param name="releaseAfterUse">Every segment's session is released as soon as it has run
    /// (<see cref="MemoryPolicy.ReleasesAfterUse"/>); otherwise the segments that fit the sessions' budget stay
    /// (<see cref="MemoryPolicy.KeptSegments"/>).</param>
    /// <param name="arenaLimitBytes">Above this many resident bytes the CPU arena is shrunk before a run
    /// (<see cref="MemoryPolicy.ArenaLimitBytes(ExecutionDevice)"/>); 0: every run shrinks it at its end, as other sessions' runs do.</param>
    public SegmentedUnetRunner(ModelSessions sessions, IReadOnlyList<UnetSegment> segments, bool releaseAfterUse = false, long arenaLimitBytes = 0)
    {
        _arenaLimitBytes = arenaLimitBytes;
        _sessions = sessions ?? throw new ArgumentNullException(nameof(sessions));
        if (segments.Count == 0) throw new ArgumentException("A UNet needs at least one segment.", nameof(segments));
        _segments = segments;
        _kept = MemoryPolicy.KeptSegments(segments.Select(s => s.WeightBytes).ToArray(), releaseAfterUse ? 0 : sessions.BudgetBytes);
        _unetFolder = Path.GetDirectoryName(sessions.Model[DiffusionModel.Unet].Path)!;
        for (int i = 0; i < segments.Count; i++)
            foreach (string input in segments[i].Inputs) _lastReader[input] = i;
    }

    /// <summary>The segments kept resident between steps (by index); all of them when the budget holds the UNet.</summary>
    public IReadOnlySet<int> KeptSegments => _kept;

    bool Streamed(int index) => !_kept.Contains(index);

    bool KeepsArena => _arenaLimitBytes > 0;

    /// <summary>The whole UNet in one session.</summary>
    public static SegmentedUnetRunner Whole(ModelSessions sessions)
    {
        string path = sessions.Model[DiffusionModel.Unet].Path;
        return new SegmentedUnetRunner(sessions, [UnetPartitioner.Whole(path, Path.GetRelativePath(sessions.Model.Folder, path))]);
    }

    public IReadOnlyList<UnetSegment> Segments => _segments;

    public int RunCount => _runCount;

    public float[][] Run(IReadOnlyList<UnetInputs> passes, LoraSelection loras, CancellationToken cancellationToken)
    {
        SyncAdapters(loras.Adapters);
        var unet = _sessions.Model[DiffusionModel.Unet];
        var states = new List<PassState>(passes.Count);
        var scales = loras.Weights.ToDictionary(w => w.Key, w => (float)w.Value, StringComparer.OrdinalIgnoreCase);
        try
        {
            foreach (var inputs in passes) states.Add(new PassState(UnetFeeds.Create(unet, inputs), scales));
            // Segment-major: every pass runs through a segment before the next one is needed, so a streaming mode
            // loads each segment once per step rather than once per pass.
            for (int i = 0; i < _segments.Count; i++)
            {
                var segment = _segments[i];
                using var pin = _sessions.Pin(segment.Key);
                var session = _sessions.GetGraph(segment.Key, segment.WeightBytes, () => Prepare(segment, Streamed(i)), _unetFolder, Streamed(i));
                if (_segments.Count > 1)
                {
                    // The next segment loads while this one computes; after the last, the first (for the next step).
                    int n = (i + 1) % _segments.Count;
                    var next = _segments[n];
                    _sessions.Prefetch(next.Key, next.WeightBytes, () => Prepare(next, Streamed(n)), _unetFolder, Streamed(n));
                }
                foreach (var state in states) RunSegment(session, i, state, cancellationToken);
                if (Streamed(i)) _sessions.Evict(segment.Key);
            }
            Interlocked.Add(ref _runCount, passes.Count);
            return states.Select(s => OrtTensors.ReadFloats(s.Live[unet.Outputs[0].Name])).ToArray();
        }
        finally
        {
            foreach (var state in states) state.Dispose(unet.Inputs.Select(i => i.Name));
            if (KeepsArena) CpuArena.Shrink(); // the evaluation leaves the UNet: none of its activations stay resident
        }
    }

    void RunSegment(InferenceSession session, int index, PassState state, CancellationToken cancellationToken)
    {
        var segment = _segments[index];
        var scales = LoraScales.CreateInputs(session.InputNames, state.LoraWeights);
        try
        {
            var names = segment.Inputs.Concat(scales.Keys).ToArray();
            var values = segment.Inputs.Select(n => state.Live[n]).Concat(scales.Values).ToArray();
            if (KeepsArena) CpuArena.ShrinkAbove(_arenaLimitBytes);
            var results = CancellableRun.Run(session, names, values, segment.Outputs.ToArray(), cancellationToken, KeepsArena);
            for (int o = 0; o < segment.Outputs.Count; o++) state.Live[segment.Outputs[o]] = results[o];
            state.Owned.Add((results, segment.Outputs.Max(o => _lastReader.GetValueOrDefault(o, _segments.Count))));
        }
        finally
        {
            foreach (var scale in scales.Values) scale.Dispose();
        }
        // Boundary tensors whose last reader has run are freed now, not at the end of the step.
        foreach (var done in state.Owned.Where(o => o.LastReader <= index).ToList())
        {
            state.Owned.Remove(done);
            done.Values.Dispose();
        }
    }

    /// <summary>One pass's tensors in flight: its feeds, the boundary tensors produced so far and who owns them.</summary>
    sealed record PassState(Dictionary<string, OrtValue> Live, IReadOnlyDictionary<string, float> LoraWeights)
    {
        public List<(IDisposableReadOnlyCollection<OrtValue> Values, int LastReader)> Owned { get; } = [];

        public void Dispose(IEnumerable<string> feedNames)
        {
            foreach (var (values, _) in Owned) values.Dispose();
            foreach (string input in feedNames)
                if (Live.TryGetValue(input, out var value)) value.Dispose();
        }
    }

    /// <summary>A segment's graph with the registered LoRAs' branches (the base weights are untouched); a streamed one
    /// reads its transposed linear weights in place (<see cref="TransposedWeights"/>).</summary>
    ModelProto Prepare(UnetSegment segment, bool streamed)
    {
        var adapters = _injected.Adapters;
        var graph = segment.LoadGraph();
        if (adapters.Count > 0) graph = LoraGraphInjector.Inject(graph, adapters).Model;
        if (streamed) TransposedWeights.ReadInPlace(graph);
        return graph;
    }

    /// <summary>When adapters were registered or removed, sessions built with the old branches are dropped.</summary>
    void SyncAdapters(LoraSnapshot current)
    {
        if (current.Version == _injected.Version) return;
        foreach (var segment in _segments) _sessions.ReleaseKey(segment.Key);
        _injected = current;
    }
}
