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

    /// <summary>The model folder commands use when they name none; set by a session (Open-NanoBananaSession).</summary>
    public string? DefaultModelPath { get; set; }

    /// <summary>
    /// The one place a model folder is chosen: <paramref name="explicitPath"/>, else <see cref="DefaultModelPath"/>,
    /// else <c>$env:NANOBANANA_MODEL</c>, else <see cref="ModelPathNotSetException"/> saying how to set one.
    /// </summary>
    public string ResolveModelPath(string? explicitPath) =>
        ModelPathResolution.Resolve(explicitPath, DefaultModelPath, Environment.GetEnvironmentVariable(ModelPathResolution.EnvironmentVariable));

    /// <summary>
    /// Checks and resolves a catalogue row without rendering: parses its cells (<see cref="RenderRow.ToRequest"/>,
    /// drawing the seed when it has none), chooses the model (<see cref="ResolveModelPath"/>) and the output file:
    /// <paramref name="outputFile"/>, or the row's sanitised name inside <paramref name="outputDirectory"/>
    /// (never outside it), or none. Both paths are file-system paths.
    /// </summary>
    /// <exception cref="RenderRowException">A cell is invalid.</exception>
    /// <exception cref="ModelPathNotSetException">No model folder is set anywhere.</exception>
    public RenderJob Prepare(RenderRow row, string? outputDirectory = null, string? outputFile = null)
    {
        ArgumentNullException.ThrowIfNull(row);
        var request = row.ToRequest();
        string model = ResolveModelPath(row.ModelPath);
        string? output = outputFile is not null
            ? Path.GetFullPath(outputFile)
            : outputDirectory is not null ? OutputFileName.InDirectory(outputDirectory, row.FileStem(request.Seed!.Value)) : null;
        return new RenderJob(row, request, model, output);
    }

    /// <summary>
    /// The catalogue cmdlet's single call: checks the output file can be written (before the expensive part),
    /// renders on the job's model with its cached sessions, then writes the PNG with its A1111 parameters
    /// atomically. Cancelling leaves no file: nothing is written until the image is complete.
    /// </summary>
    public RenderImage Render(RenderJob job, bool overwrite, IProgress<DenoiseProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.OutputPath is { } target) AtomicFileWriter.EnsureWritable(target, overwrite);
        var image = Render(job.ModelFolder, job.Request, progress, cancellationToken);
        if (job.OutputPath is { } path) ImageCodec.WritePng(image, path, overwrite);
        return image;
    }

    /// <summary>How many times each ONNX file of a model folder was loaded by this engine (relative path → count);
    /// empty when the model is not open. Rendering many rows should leave every count at 1.</summary>
    public IReadOnlyDictionary<string, int> LoadCounts(string modelFolder)
    {
        lock (_gate)
            return _pipelines.TryGetValue(Path.GetFullPath(modelFolder), out var pipeline)
                ? pipeline.Sessions.LoadCounts
                : new Dictionary<string, int>();
    }

    /// <summary>Renders one request on the model folder, reusing loaded sessions.</summary>
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
