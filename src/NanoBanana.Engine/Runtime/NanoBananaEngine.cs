using NanoBanana.Imaging;
using NanoBanana.Imaging.Upscaling;

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

    public void Dispose() => Upscalers.Dispose();
}
