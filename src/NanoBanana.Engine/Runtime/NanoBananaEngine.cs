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

    readonly SemaphoreSlim _device = new(1, 1);
    EngineSessionOptions _session = new();
    long? _lastPeak;

    /// <summary>The current session settings (Open-NanoBananaSession); defaults: Full memory, CPU or CUDA, no budget.</summary>
    public EngineSessionOptions Session
    {
        get { lock (_gate) return _session; }
    }

    /// <summary>
    /// Configures how renders run from now on and releases what was loaded under the old settings. Checks the
    /// model folder opens. The device is resolved now (Auto → CUDA when ONNX Runtime reports it, else CPU).
    /// </summary>
    public SessionInfo OpenSession(EngineSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.BudgetBytes is <= 0) throw new ArgumentOutOfRangeException(nameof(options), "The memory budget must be positive.");
        if (options.ModelPath is not null) DiffusionModel.Open(options.ModelPath);
        var device = ExecutionProviders.Resolve(options.Device);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            ReleasePipelines();
            _session = options with { Device = device, ModelPath = options.ModelPath is null ? null : Path.GetFullPath(options.ModelPath) };
            DefaultModelPath = _session.ModelPath;
            // GPU memory limit from the budget: ORT's CUDA arena then grows only as requested, up to it.
            SessionOptionsFactory = () => ExecutionProviders.CreateSessionOptions(device, options.DeviceId, options.BudgetBytes);
        }
        return GetSessionInfo();
    }

    /// <summary>Back to the defaults, releasing every model.</summary>
    public void CloseSession() => OpenSession(new EngineSessionOptions());

    public SessionInfo GetSessionInfo()
    {
        lock (_gate)
        {
            var pipeline = _session.ModelPath is { } model && _pipelines.TryGetValue(model, out var p) ? p : _pipelines.Values.FirstOrDefault();
            var sessions = pipeline?.Sessions;
            int segments = pipeline?.Unet is SegmentedUnetRunner runner ? runner.Segments.Count : 0;
            return new SessionInfo(_session.ModelPath ?? pipeline?.Model.Folder, _session.Device, _session.MemoryMode, _session.BudgetBytes, segments,
                _pipelines.Values.Sum(x => x.Sessions.ResidentBytes), sessions?.ResidentBytesByKey ?? new Dictionary<string, long>(),
                sessions?.LoadCounts ?? new Dictionary<string, int>(), _lastPeak);
        }
    }

    /// <summary>Releases every session and weight buffer now (the seed's cache clearing); settings are kept and
    /// models reload on the next render.</summary>
    public void ClearCache()
    {
        lock (_gate)
            foreach (var pipeline in _pipelines.Values) pipeline.Sessions.ReleaseAll();
        Upscalers.ReleaseSessions();
    }

    /// <summary>The estimated peak of a render per mode (Get-RenderMemoryEstimate), from <paramref name="modelFolder"/>'s
    /// own graph, or from SDXL's published shapes in <paramref name="precisionBytes"/> when no model is given. Without
    /// a budget, each estimate is judged against the machine's memory.</summary>
    public IReadOnlyList<MemoryEstimate> EstimateMemory(string? modelFolder, int width, int height, int batch, long? budgetBytes, int precisionBytes = 2) =>
        EstimateMemory(modelFolder is null ? SdxlShape(precisionBytes) : MemoryPlanner.Describe(DiffusionModel.Open(modelFolder)), width, height, batch, budgetBytes);

    static IReadOnlyList<MemoryEstimate> EstimateMemory(MemoryPlanner.ModelShape shape, int width, int height, int batch, long? budgetBytes)
    {
        return Enum.GetValues<MemoryMode>().Select(mode =>
        {
            long segmentBytes = MemoryPlanner.SegmentBytes(shape, mode, budgetBytes, width, height);
            int count = mode == MemoryMode.Full ? 1 : (int)Math.Ceiling((double)shape.UnetBytes / segmentBytes);
            return MemoryPlanner.Estimate(shape, mode, width, height, batch, budgetBytes, segmentBytes, count)
                with { BudgetBytes = budgetBytes ?? Limits.InputLimits.MachineMemoryBytes };
        }).ToArray();
    }

    static MemoryPlanner.ModelShape SdxlShape(int precisionBytes)
    {
        var counts = Forge.SyntheticModelForge.CountParameters(new Forge.SyntheticModelOptions { Size = Forge.SyntheticModelSize.Full });
        return new MemoryPlanner.ModelShape(
            (counts.ParametersOf(DiffusionModel.TextEncoder) + counts.ParametersOf(DiffusionModel.TextEncoder2)) * precisionBytes,
            counts.ParametersOf(DiffusionModel.Unet) * precisionBytes, counts.ParametersOf(DiffusionModel.VaeDecoder) * precisionBytes,
            [320, 640, 1280], [5, 10, 20], [false, true, true], 128);
    }

    /// <summary>The pipeline for a model folder, opened once with the session's memory mode and kept with its
    /// sessions until <see cref="ReleaseModel"/>, <see cref="OpenSession"/> or <see cref="Dispose"/>.</summary>
    public TextToImagePipeline GetPipeline(string modelFolder)
    {
        string key = Path.GetFullPath(modelFolder);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            if (_pipelines.TryGetValue(key, out var existing)) return existing;
            var model = DiffusionModel.Open(key);
            var mode = _session.MemoryMode;
            var shape = MemoryPlanner.Describe(model);
            // Weights may fill the budget less what the runtime and the largest UNet activations (1024², batch 1) need.
            long? weightBudget = _session.BudgetBytes is long b ? Math.Max(b - MemoryPlanner.RuntimeBytes - MemoryPlanner.UnetActivationBytes(shape, 1024, 1024, 1), 1) : null;
            // Low mode keeps the text encoders off the device: they run once per render and are small next to the UNet.
            var cpuComponents = mode == MemoryMode.Low ? new HashSet<string> { DiffusionModel.TextEncoder, DiffusionModel.TextEncoder2 } : null;
            var sessions = new ModelSessions(model, SessionOptionsFactory, mode == MemoryMode.Full ? long.MaxValue : weightBudget ?? long.MaxValue, cpuComponents);
            IUnetRunner runner = mode == MemoryMode.Full
                ? SegmentedUnetRunner.Whole(sessions, Loras.Snapshot)
                : new SegmentedUnetRunner(sessions,
                    UnetSegmentCache.Load(model[DiffusionModel.Unet].Path, MemoryPlanner.SegmentBytes(shape, mode, _session.BudgetBytes, 1024, 1024), Options.UserDataDirectory),
                    releaseAfterUse: mode == MemoryMode.Low, Loras.Snapshot);
            return _pipelines[key] = new TextToImagePipeline(sessions, runner, mode);
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

    /// <summary>
    /// Renders one request on the model folder, reusing loaded sessions. The request's LoRA weights override the
    /// registered ones for this render. Renders queue for the device (one at a time, from any runspace). A render
    /// whose estimated peak exceeds the session's budget is refused before it starts.
    /// </summary>
    public RenderImage Render(string modelFolder, TextToImageRequest request, IProgress<DenoiseProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate(); // sizes within limits before the memory estimate multiplies them
        request = request with { LoraWeights = Loras.WeightsFor(request.LoraWeights) };
        var pipeline = GetPipeline(modelFolder);
        CheckBudget(pipeline.Model, request);
        _device.Wait(cancellationToken);
        try
        {
            ProcessMemory.ResetPeak();
            var image = pipeline.Render(request, progress, cancellationToken);
            image.PeakMemoryBytes = ProcessMemory.PeakBytes();
            lock (_gate) _lastPeak = image.PeakMemoryBytes;
            return image;
        }
        finally
        {
            _device.Release();
        }
    }

    /// <summary>Refuses a render whose estimated peak exceeds the session's budget, or the machine's memory without one.</summary>
    void CheckBudget(DiffusionModel model, TextToImageRequest request)
    {
        var settings = Session;
        int batch = request.CfgScale > 1 && request.GuidanceBatching == GuidanceBatching.Combined ? 2 : 1;
        var estimates = EstimateMemory(MemoryPlanner.Describe(model), request.Width, request.Height, batch, settings.BudgetBytes);
        var chosen = estimates.Single(e => e.Mode == settings.MemoryMode);
        if (chosen.Fits) return;
        throw new RenderMemoryException(chosen, estimates.Where(e => e.Fits).Select(e => (MemoryMode?)e.Mode).FirstOrDefault());
    }

    void ReleasePipelines()
    {
        foreach (var pipeline in _pipelines.Values) pipeline.Dispose();
        _pipelines.Clear();
    }

    /// <summary>
    /// Set-LoraWeight: registers or re-weights a LoRA. When the session names a model, the LoRA is mapped onto its
    /// UNet now, so a LoRA for another base model fails here (shape mismatch, naming the key) rather than at the
    /// first render, and keys matching no layer come back as a warning with examples.
    /// </summary>
    public (Lora.LoraEntry Entry, string? Warning) SetLora(string? path, string? name, double weight)
    {
        var entry = Loras.Set(path, name, weight);
        if (Session.ModelPath is not { } model) return (entry, null);
        try
        {
            var unet = Onnx.OnnxModelFile.Load(DiffusionModel.Open(model)[DiffusionModel.Unet].Path);
            var mapping = Lora.LoraTargetMapper.Map(unet.Graph, [entry.Adapter], Lora.LoraComponent.Unet);
            int textEncoderKeys = entry.Adapter.Targets.Count(t => t.Component != Lora.LoraComponent.Unet);
            string? textWarning = textEncoderKeys == 0 ? null : $"{textEncoderKeys} text-encoder key(s) are read but not applied (LoRA branches go into the UNet only).";
            return (entry, string.Join(" ", new[] { mapping.Warning, textWarning }.OfType<string>()) is { Length: > 0 } w ? w : null);
        }
        catch (InvalidDataException)
        {
            Loras.Remove(entry.Name);
            throw;
        }
    }

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
            ReleasePipelines();
        }
        Upscalers.Dispose();
    }
}
