using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using NanoBanana.Models;

namespace NanoBanana.Runtime;

/// <summary>
/// The only place InferenceSessions are created. Per model: one lazily created session per component,
/// counted in <see cref="LoadCounts"/>, released individually (<see cref="Release"/>) so a memory mode can
/// drop the text encoders once conditioning is computed, or a segmented UNet runner can load and free
/// segments; all are disposed with this object.
/// </summary>
public sealed class ModelSessions : IDisposable
{
    readonly Func<SessionOptions> _options;
    readonly ConcurrentDictionary<string, InferenceSession> _sessions = new();
    readonly ConcurrentDictionary<string, int> _loadCounts = new();
    readonly object _gate = new();
    bool _disposed;

    /// <param name="options">Creates options for each new session (device/provider choice lives with the caller:
    /// <see cref="ExecutionProviders.CreateSessionOptions"/>).</param>
    public ModelSessions(DiffusionModel model, Func<SessionOptions>? options = null)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        _options = options ?? (() => ExecutionProviders.CreateSessionOptions(ExecutionDevice.Cpu));
    }

    public DiffusionModel Model { get; }

    /// <summary>How many times each ONNX file (by path relative to the model folder) was loaded.</summary>
    public IReadOnlyDictionary<string, int> LoadCounts => new Dictionary<string, int>(_loadCounts);

    /// <summary>The session for a component (<see cref="DiffusionModel.Unet"/>, …), created on first use.</summary>
    public InferenceSession Get(string component) => GetFile(Model[component].Path);

    /// <summary>The session for any ONNX file inside the model folder (e.g. a UNet segment).</summary>
    public InferenceSession GetFile(string path)
    {
        string key = Path.GetRelativePath(Model.Folder, Path.GetFullPath(path));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_sessions.TryGetValue(key, out var existing)) return existing;
            using var options = _options();
            var session = new InferenceSession(Path.Combine(Model.Folder, key), options);
            _sessions[key] = session;
            _loadCounts.AddOrUpdate(key, 1, (_, n) => n + 1);
            return session;
        }
    }

    /// <summary>Disposes a component's session (freeing its memory); the next <see cref="Get"/> reloads it.</summary>
    public void Release(string component) => ReleaseFile(Model[component].Path);

    public void ReleaseFile(string path)
    {
        string key = Path.GetRelativePath(Model.Folder, Path.GetFullPath(path));
        lock (_gate)
            if (_sessions.TryRemove(key, out var session)) session.Dispose();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var session in _sessions.Values) session.Dispose();
            _sessions.Clear();
        }
    }
}
