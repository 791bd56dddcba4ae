using NanoBanana.Diffusion;
using NanoBanana.Imaging;
using NanoBanana.Imaging.Upscaling;
using NanoBanana.Models;

namespace NanoBanana.Runtime;

/// <summary>
/// The one engine of the process. Created lazily by the first cmdlet that needs it, shared by every
/// cmdlet and runspace, and disposed when the module is removed. It owns every ONNX Runtime session
/// the module creates, so releasing memory is a single, explicit act.
/// </summary>
public sealed class NanoBananaEngine : IDisposable
{
    private static readonly object SharedGate = new();
    private static NanoBananaEngine? _shared;

    public NanoBananaEngine(EngineOptions? options = null)
    {
        Options = options ?? new EngineOptions();
        Upscalers = new UpscaleModelStore(Options.UpscaleModelDirectories, Path.Combine(Options.UserDataDirectory, "upscalers"));
    }

    public static NanoBananaEngine Shared
    {
        get
        {
            lock (SharedGate) return _shared ??= new NanoBananaEngine();
        }
    }

    public EngineOptions Options { get; }

    /// <summary>Registered LoRAs and their weights, applied to every render without merging.</summary>
    public Lora.LoraRegistry Loras { get; } = new();

    /// <summary>Real-ESRGAN and imported upscaling models, with their sessions.</summary>
    public UpscaleModelStore Upscalers { get; }

    /// <summary>Upscales an image with a Real-ESRGAN (or imported) model, tile by tile.</summary>
    public RenderImage Upscale(RenderImage image, UpscaleOptions options, IProgress<UpscaleProgress>? progress = null, CancellationToken cancellation = default) =>
        Upscalers.Get(options.Model, options.Device).Upscale(image, options, progress, cancellation);

    /// <summary>Disposes the shared engine if one was created; the next use creates a fresh one.</summary>
    public static void ShutdownShared()
    {
        NanoBananaEngine? engine;
        lock (SharedGate)
        {
            engine = _shared;
            _shared = null;
        }
        engine?.Dispose();
    }

    private readonly Dictionary<string, TextToImagePipeline> _pipelines = new(StringComparer.OrdinalIgnoreCase);
    private readonly object _gate = new();

    public bool IsDisposed { get; private set; }

    /// <summary>Session options for every session this engine creates (device, GPU memory limit).</summary>
    public Func<Microsoft.ML.OnnxRuntime.SessionOptions> SessionOptionsFactory { get; set; } =
        () => ExecutionProviders.CreateSessionOptions(ExecutionDevice.Cpu);

    /// <summary>The pipeline for a model folder, opened once and kept with its sessions until
    /// <see cref="ReleaseModel"/> or <see cref="Dispose"/>.</summary>
    public TextToImagePipeline GetPipeline(string modelFolder)
    {
        string key = Path.GetFullPath(modelFolder);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            if (!_pipelines.TryGetValue(key, out var pipeline))
                _pipelines[key] = pipeline = new TextToImagePipeline(new ModelSessions(DiffusionModel.Open(key), SessionOptionsFactory));
            return pipeline;
        }
    }

    /// <summary>The cmdlet's single call: renders one request on the model folder, reusing loaded sessions.</summary>
    public RenderImage Render(string modelFolder, TextToImageRequest request, IProgress<DenoiseProgress>? progress = null, CancellationToken cancellationToken = default) =>
        GetPipeline(modelFolder).Render(request, progress, cancellationToken);

    /// <summary>Disposes a model's sessions, freeing its memory.</summary>
    public void ReleaseModel(string modelFolder)
    {
        lock (_gate)
            if (_pipelines.Remove(Path.GetFullPath(modelFolder), out var pipeline)) pipeline.Dispose();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            IsDisposed = true;
            foreach (var pipeline in _pipelines.Values) pipeline.Dispose();
            _pipelines.Clear();
        }
        Upscalers.Dispose();
    }
}
