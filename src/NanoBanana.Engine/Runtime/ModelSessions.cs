using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using NanoBanana.Models;
using NanoBanana.Onnx;

namespace NanoBanana.Runtime;

/// <summary>
/// The owner of a diffusion model's sessions and of what of it is resident (upscaling models have their own small
/// owner, <c>UpscaleModelStore</c>; both queue for the device through the engine). Per model: sessions for
/// components (text encoders, VAE) and UNet segments, each created on first use and counted in
/// <see cref="LoadCounts"/>. With a <see cref="BudgetBytes"/>, the least recently used sessions are released
/// when a new one needs room (pinned ones never are); <see cref="Prefetch"/> loads the next segment on a
/// background task while the current one runs; <see cref="Evict"/> takes a streamed segment's weights out after its
/// run. Everything is disposed with this object.
/// </summary>
public sealed class ModelSessions : IDisposable
{
    /// <summary>A created session, with the mappings of its weights when they can be paged out.</summary>
    sealed record Loaded(InferenceSession Session, MappedWeights? Mapped = null);

    sealed record Resident(Loaded Loaded, long Bytes, long LastUse);

    readonly Func<SessionOptions> _options;
    readonly IReadOnlySet<string> _cpuComponents;
    readonly Dictionary<string, Resident> _resident = new(StringComparer.Ordinal);
    readonly Dictionary<string, (Task<Loaded> Task, long Bytes)> _loading = new(StringComparer.Ordinal);
    readonly HashSet<string> _pinned = new(StringComparer.Ordinal);
    readonly Dictionary<string, Loaded> _paged = new(StringComparer.Ordinal);
    readonly bool _pagesStreamedWeights;
    readonly ConcurrentDictionary<string, int> _loadCounts = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, int> _pageInCounts = new(StringComparer.Ordinal);
    readonly object _gate = new();
    long _clock, _peakResident;
    bool _disposed;

    /// <param name="options">Creates options for each new session (device/provider choice lives with the caller:
    /// <see cref="ExecutionProviders.CreateSessionOptions"/>).</param>
    /// <param name="budgetBytes">Weight bytes that may be resident at once; <see cref="long.MaxValue"/> keeps everything.</param>
    /// <param name="cpuComponents">Components that run on the CPU whatever the device (Low mode's text encoders).</param>
    /// <param name="pagesStreamedWeights">Streamed graphs keep their sessions and have their weights paged out
    /// (<see cref="MemoryPolicy.PagesStreamedWeights"/>) rather than being released.</param>
    public ModelSessions(DiffusionModel model, Func<SessionOptions>? options = null, long budgetBytes = long.MaxValue, IReadOnlySet<string>? cpuComponents = null,
        bool pagesStreamedWeights = false)
    {
        _pagesStreamedWeights = pagesStreamedWeights;
        Model = model ?? throw new ArgumentNullException(nameof(model));
        _options = options ?? (() => ExecutionProviders.CreateSessionOptions(ExecutionDevice.Cpu));
        BudgetBytes = budgetBytes;
        _cpuComponents = cpuComponents ?? new HashSet<string>();
    }

    /// <summary>Components whose sessions run on the CPU whatever the device.</summary>
    public IReadOnlySet<string> CpuComponents => _cpuComponents;

    public DiffusionModel Model { get; }

    public long BudgetBytes { get; }

    /// <summary>How many times each ONNX file or segment (by path relative to the model folder) was loaded.</summary>
    public IReadOnlyDictionary<string, int> LoadCounts => new Dictionary<string, int>(_loadCounts);

    /// <summary>How many times each paged-out graph was brought back for a run without being loaded again.</summary>
    public IReadOnlyDictionary<string, int> PageInCounts => new Dictionary<string, int>(_pageInCounts);

    /// <summary>Weight bytes of the sessions resident now, per file or segment.</summary>
    public IReadOnlyDictionary<string, long> ResidentBytesByKey
    {
        get { lock (_gate) return _resident.ToDictionary(r => r.Key, r => r.Value.Bytes); }
    }

    public long ResidentBytes
    {
        get { lock (_gate) return _resident.Values.Sum(r => r.Bytes) + _loading.Values.Sum(l => l.Bytes); }
    }

    /// <summary>The most weight bytes resident at once since creation.</summary>
    public long PeakResidentBytes
    {
        get { lock (_gate) return _peakResident; }
    }

    /// <summary>The session for a component (<see cref="DiffusionModel.Unet"/>, …), created on first use.</summary>
    public InferenceSession Get(string component)
    {
        var part = Model[component];
        return Acquire(Key(part.Path), part.WeightBytes, () =>
        {
            using var options = _cpuComponents.Contains(component) ? ExecutionProviders.CreateSessionOptions(ExecutionDevice.Cpu) : _options();
            try { return new Loaded(new InferenceSession(part.Path, options)); }
            catch (OnnxRuntimeException e) { throw OrtLoadErrors.Explain(part.Path, e); }
        });
    }

    /// <summary>
    /// The session for a graph held in memory (a UNet segment, or a graph with LoRA branches) whose external
    /// initializers live in <paramref name="externalDataFolder"/>. <paramref name="build"/> runs only when loading.
    /// A <paramref name="streamed"/> graph (run once per step, then evicted: <see cref="Evict"/>) is built without graph
    /// optimisation or weight pre-packing: both rewrite every weight at load, which for a streamed segment costs more
    /// than it saves, and without them the weights stay mapped from the file, so they can be paged out.
    /// Measured on the CPU (full SDXL fp32, a 511 MiB segment): 0.10 s to load against 1.65 s, running up to 1.5× more
    /// slowly; Balanced at 512² took 42–45 s per step against 54–60 s with both on (bench/RESULTS.md).
    /// </summary>
    public InferenceSession GetGraph(string key, long weightBytes, Func<Onnx.Proto.ModelProto> build, string externalDataFolder, bool streamed = false) =>
        Acquire(key, weightBytes, () => CreateFromGraph(build, externalDataFolder, streamed));

    /// <summary>Starts loading a graph in the background if it is not resident and fits beside the pinned sessions.</summary>
    public void Prefetch(string key, long weightBytes, Func<Onnx.Proto.ModelProto> build, string externalDataFolder, bool streamed = false)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_resident.ContainsKey(key) || _loading.ContainsKey(key) || _paged.ContainsKey(key)) return;
            if (!MakeRoom(weightBytes)) return; // would not fit beside what is running: load on demand instead
            _loading[key] = (Task.Run(() => CreateFromGraph(build, externalDataFolder, streamed)), weightBytes);
        }
    }

    /// <summary>Keeps a session from being released for room until the returned handle is disposed.</summary>
    public IDisposable Pin(string key)
    {
        lock (_gate) _pinned.Add(key);
        return new Unpin(this, key);
    }

    sealed class Unpin(ModelSessions owner, string key) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._gate) owner._pinned.Remove(key);
        }
    }

    Loaded CreateFromGraph(Func<Onnx.Proto.ModelProto> build, string externalDataFolder, bool streamed)
    {
        var graph = build();
        byte[] bytes = Google.Protobuf.MessageExtensions.ToByteArray(graph);
        using var options = streamed ? StreamedOptions(externalDataFolder, _options()) : OnnxSubgraph.SessionOptionsFor(externalDataFolder, _options());
        InferenceSession session;
        try { session = new InferenceSession(bytes, options); }
        catch (OnnxRuntimeException e) { throw OrtLoadErrors.Explain(Path.Combine(externalDataFolder, "model.onnx"), e); }
        // A session whose weights are not all mapped is released after its run instead (Evict).
        return new Loaded(session, streamed && _pagesStreamedWeights ? MappedWeights.Find(graph, externalDataFolder) : null);
    }

    /// <summary>A streamed graph's session: no graph optimisation and no pre-packing (see <see cref="GetGraph"/>), so
    /// ONNX Runtime maps its weights from the file rather than copying them.</summary>
    internal static SessionOptions StreamedOptions(string externalDataFolder, SessionOptions deviceOptions)
    {
        var options = OnnxSubgraph.SessionOptionsFor(externalDataFolder, deviceOptions);
        options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL;
        options.AddSessionConfigEntry("session.disable_prepacking", "1");
        return options;
    }

    /// <summary>
    /// Takes a streamed graph's weights out of memory after its run. Where its session maps them from the file
    /// (<see cref="MappedWeights"/>), the pages are dropped and the session is kept for the next run, which saves
    /// creating it again: Small SDXL, Balanced at 512² (11 of 15 segments streamed), 0.71–0.72 s per step against
    /// 0.81–0.85 s releasing them, at the same peak (bench/RESULTS.md). Otherwise the session is released.
    /// </summary>
    public void Evict(string key)
    {
        lock (_gate)
        {
            if (_resident.TryGetValue(key, out var resident) && resident.Loaded.Mapped is { } mapped && mapped.PageOut())
            {
                _resident.Remove(key);
                _paged[key] = resident.Loaded;
                return;
            }
        }
        ReleaseKey(key);
    }

    InferenceSession Acquire(string key, long bytes, Func<Loaded> create)
    {
        Task<Loaded>? pending = null;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_resident.TryGetValue(key, out var resident))
            {
                _resident[key] = resident with { LastUse = ++_clock };
                return resident.Loaded.Session;
            }
            if (_paged.Remove(key, out var paged))
            {
                // Its pages come back as the run touches them: count them from now.
                MakeRoom(bytes, force: true);
                _pageInCounts.AddOrUpdate(key, 1, (_, n) => n + 1);
                return Admit(key, paged, bytes);
            }
            if (_loading.TryGetValue(key, out var loading)) pending = loading.Task;
            else MakeRoom(bytes, force: true);
        }
        var loaded = pending is not null ? pending.GetAwaiter().GetResult() : create();
        lock (_gate)
        {
            _loading.Remove(key);
            if (_disposed)
            {
                loaded.Session.Dispose();
                throw new ObjectDisposedException(nameof(ModelSessions));
            }
            _loadCounts.AddOrUpdate(key, 1, (_, n) => n + 1);
            return Admit(key, loaded, bytes);
        }
    }

    /// <summary>Counts a session as resident (the caller holds the gate).</summary>
    InferenceSession Admit(string key, Loaded loaded, long bytes)
    {
        _resident[key] = new Resident(loaded, bytes, ++_clock);
        _peakResident = Math.Max(_peakResident, _resident.Values.Sum(r => r.Bytes) + _loading.Values.Sum(l => l.Bytes));
        return loaded.Session;
    }

    /// <summary>Releases least recently used, unpinned sessions until <paramref name="bytes"/> more fit the budget.
    /// Without <paramref name="force"/>, gives up (returning false) rather than evicting when it cannot succeed.</summary>
    bool MakeRoom(long bytes, bool force = false)
    {
        long used = _resident.Values.Sum(r => r.Bytes) + _loading.Values.Sum(l => l.Bytes);
        if (BudgetBytes == long.MaxValue || used + bytes <= BudgetBytes) return true;
        var evictable = _resident.Where(r => !_pinned.Contains(r.Key)).OrderBy(r => r.Value.LastUse).ToList();
        if (!force && used - evictable.Sum(r => r.Value.Bytes) + bytes > BudgetBytes) return false;
        foreach (var (key, resident) in evictable)
        {
            if (used + bytes <= BudgetBytes) break;
            _resident.Remove(key);
            resident.Loaded.Session.Dispose();
            used -= resident.Bytes;
        }
        return used + bytes <= BudgetBytes;
    }

    string Key(string path) => Path.GetRelativePath(Model.Folder, Path.GetFullPath(path));

    /// <summary>Disposes a component's session (freeing its memory); the next <see cref="Get"/> reloads it.</summary>
    public void Release(string component) => ReleaseKey(Key(Model[component].Path));

    /// <summary>Releases one session; one still being prefetched is awaited and released too.</summary>
    public void ReleaseKey(string key)
    {
        Task<Loaded>? loading = null;
        lock (_gate)
        {
            if (_resident.Remove(key, out var resident)) resident.Loaded.Session.Dispose();
            if (_paged.Remove(key, out var paged)) paged.Session.Dispose();
            if (_loading.Remove(key, out var pending)) loading = pending.Task;
        }
        if (loading is not null) loading.GetAwaiter().GetResult().Session.Dispose();
    }

    /// <summary>Releases every session (waiting for prefetches to finish); resident bytes return to zero.</summary>
    public void ReleaseAll()
    {
        List<Task<Loaded>> loading;
        lock (_gate)
        {
            foreach (var resident in _resident.Values) resident.Loaded.Session.Dispose();
            _resident.Clear();
            foreach (var paged in _paged.Values) paged.Session.Dispose();
            _paged.Clear();
            loading = _loading.Values.Select(l => l.Task).ToList();
            _loading.Clear();
        }
        foreach (var task in loading)
            try { task.GetAwaiter().GetResult().Session.Dispose(); }
            catch (OnnxRuntimeException) { /* a failed prefetch holds nothing */ }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        ReleaseAll();
    }
}
