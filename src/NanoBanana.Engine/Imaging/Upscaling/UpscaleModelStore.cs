using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using NanoBanana.Imaging;
using NanoBanana.Onnx;
using NanoBanana.Runtime;

namespace NanoBanana.Imaging.Upscaling;

/// <summary>
/// The upscaling models the engine knows: ONNX files found in its model folders (the module's shipped
/// models, then the user's imported ones), each opened once per device and kept until the store is disposed.
/// </summary>
public sealed class UpscaleModelStore(IReadOnlyList<string> searchDirectories, string importDirectory) : IDisposable
{
    private readonly ConcurrentDictionary<(string Model, ExecutionDevice Device), Lazy<(InferenceSession Session, TiledUpscaler Upscaler)>> _open = new();

    /// <summary>Folders searched in order; the first holding <c>&lt;name&gt;.onnx</c> wins.</summary>
    public IReadOnlyList<string> SearchDirectories { get; } = searchDirectories;

    /// <summary>Where <see cref="Import"/> writes converted models.</summary>
    public string ImportDirectory { get; } = importDirectory;

    /// <summary>Names of every model available, for argument completion.</summary>
    public IReadOnlyList<string> AvailableModels =>
        SearchDirectories.Append(ImportDirectory).Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.onnx")).Select(Path.GetFileNameWithoutExtension)
            .Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToList()!;

    public string ResolvePath(string model)
    {
        if (!UpscaleModelName.IsValid(model))
            throw new ArgumentException($"'{Limits.Excerpt.Of(model)}' is not a model name. Use one of: {string.Join(", ", AvailableModels)}.", nameof(model));
        return SearchDirectories.Append(ImportDirectory).Select(d => Path.Combine(d, model + ".onnx")).FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"No upscaling model named '{model}'. Available: {string.Join(", ", AvailableModels)}. Bring another Real-ESRGAN ncnn model with Import-UpscaleModel.");
    }

    /// <summary>The upscaler for a model on a device, opening its session on first use.</summary>
    public TiledUpscaler Get(string model, ExecutionDevice device)
    {
        var resolved = ExecutionProviders.Resolve(device);
        var entry = _open.GetOrAdd((model.ToLowerInvariant(), resolved), key => new Lazy<(InferenceSession, TiledUpscaler)>(() => Open(model, resolved)));
        return entry.Value.Upscaler;
    }

    /// <summary>Converts an ncnn model into the import folder under <paramref name="name"/>; returns the ONNX path and its receptive field.</summary>
    public (string Path, ReceptiveField Field) Import(string paramPath, string binPath, string name, bool overwrite)
    {
        UpscaleModelName.Check(name, nameof(name));
        var model = NcnnToOnnxConverter.Convert(paramPath, binPath);
        var field = ReceptiveField.Of(model, NcnnToOnnxConverter.InputName); // refuses graphs the tiler cannot run exactly
        string path = Path.Combine(ImportDirectory, name + ".onnx");
        AtomicFileWriter.Write(path, OnnxModelFile.ToBytes(model), overwrite);
        return (path, field);
    }

    private (InferenceSession, TiledUpscaler) Open(string model, ExecutionDevice device)
    {
        string path = ResolvePath(model);
        // One read serves both the graph analysis and the session (x4plus is 67 MB).
        byte[] bytes = File.ReadAllBytes(path);
        var field = ReceptiveField.Of(OnnxModelFile.Parse(new MemoryStream(bytes), path), NcnnToOnnxConverter.InputName);
        using var options = ExecutionProviders.CreateSessionOptions(device);
        var session = new InferenceSession(bytes, options);
        return (session, new TiledUpscaler(session, field, model));
    }

    /// <summary>Disposes every upscaling session; the next upscale reopens its model.</summary>
    public void ReleaseSessions()
    {
        foreach (var entry in _open.Values.Where(e => e.IsValueCreated)) entry.Value.Session.Dispose();
        _open.Clear();
    }

    public void Dispose() => ReleaseSessions();
}
