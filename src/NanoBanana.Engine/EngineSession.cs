using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using NanoBanana.Models;
using NanoBanana.Pipeline;
using NanoBanana.Runtime;

namespace NanoBanana;

/// <summary>
/// The engine's session (Open-NanoBananaSession): the single source of truth for the default model, the device, the
/// memory mode and budget, plus what the session learnt — the models it opened (each folder parsed once) and the
/// last render's peak. Opening another session replaces this object whole, so no setting outlives its session.
/// </summary>
public sealed class EngineSession
{
    readonly ConcurrentDictionary<string, Lazy<DiffusionModel>> _models = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<(DiffusionModel Model, ExecutionDevice Device), MemoryPlanner.ModelShape> _shapes = new();
    long _lastPeak = -1;

    /// <param name="options">The settings as given; <see cref="ExecutionDevice.Auto"/> is resolved here.</param>
    public EngineSession(EngineSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.BudgetBytes is <= 0) throw new ArgumentOutOfRangeException(nameof(options), "The memory budget must be positive.");
        RequestedDevice = options.Device;
        var device = ExecutionProviders.Resolve(options.Device);
        Options = options with { Device = device, ModelPath = options.ModelPath is null ? null : Path.GetFullPath(options.ModelPath) };
        if (Options.ModelPath is { } model) OpenModel(model);
    }

    /// <summary>The device as asked for (Auto unless a session named one); <see cref="Options"/> has it resolved.</summary>
    public ExecutionDevice RequestedDevice { get; }

    /// <summary>The settings with the device resolved and the model folder as a full path.</summary>
    public EngineSessionOptions Options { get; }

    /// <summary>The model folder commands use when they name none.</summary>
    public string? ModelPath => Options.ModelPath;

    /// <summary>Options for every session created under this session; on CUDA the arena is capped by the budget,
    /// so it grows only as requested, up to it.</summary>
    public SessionOptions CreateSessionOptions() => ExecutionProviders.CreateSessionOptions(Options.Device, Options.DeviceId, Options.BudgetBytes);

    /// <summary>The peak memory of the last render in this session, if any.</summary>
    public long? LastPeakBytes => Interlocked.Read(ref _lastPeak) is >= 0 and var peak ? peak : null;

    internal void RecordPeak(long bytes) => Interlocked.Exchange(ref _lastPeak, bytes);

    /// <summary>
    /// The one place a model folder is chosen: <paramref name="explicitPath"/>, else this session's model, else
    /// <c>$env:NANOBANANA_MODEL</c>, else <see cref="ModelPathNotSetException"/> saying how to set one.
    /// </summary>
    public string ResolveModelPath(string? explicitPath) =>
        ModelPathResolution.Resolve(explicitPath, ModelPath, Environment.GetEnvironmentVariable(ModelPathResolution.EnvironmentVariable));

    /// <summary>The model folder's description, parsed once per session.</summary>
    public DiffusionModel OpenModel(string folder)
    {
        string key = Path.GetFullPath(folder);
        var entry = _models.GetOrAdd(key, k => new Lazy<DiffusionModel>(() => DiffusionModel.Open(k)));
        try
        {
            return entry.Value;
        }
        catch
        {
            _models.TryRemove(key, out _); // a folder fixed after a failed open is read again
            throw;
        }
    }

    /// <summary>How this session's mode and budget apply to one render of <paramref name="request"/> on <paramref name="model"/>.</summary>
    public MemoryPolicy PolicyFor(DiffusionModel model, TextToImageRequest request) =>
        new(Options.MemoryMode, Options.BudgetBytes, ShapeOf(model), request.Width, request.Height, request.UnetBatch);

    /// <summary>The planner's description of a model on this session's device (or on <paramref name="device"/>, to plan
    /// for another machine), read once per session.</summary>
    public MemoryPlanner.ModelShape ShapeOf(DiffusionModel model, ExecutionDevice? device = null) =>
        _shapes.GetOrAdd((model, device ?? Options.Device), key => MemoryPlanner.Describe(key.Model, key.Device));
}
