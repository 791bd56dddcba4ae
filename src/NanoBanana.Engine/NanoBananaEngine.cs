using NanoBanana.Catalogue;
using NanoBanana.Imaging;
using NanoBanana.Imaging.Upscaling;
using NanoBanana.Lora;
using NanoBanana.Models;
using NanoBanana.Pipeline;
using NanoBanana.Runtime;
using NanoBanana.Synthetic;
using NanoBanana.Unet;

namespace NanoBanana;

/// <summary>
/// The one engine of the process. Created lazily by the first cmdlet that needs it, shared by every cmdlet and
/// runspace, and disposed when the module is removed. It composes the parts that do the work — the
/// <see cref="EngineSession"/> (settings and what they opened), the open pipelines (which own every diffusion
/// session), the LoRA registry and the upscaling models — and is the single door cmdlets call through. Renders and
/// upscales queue for the device, one at a time, from any runspace.
/// </summary>
public sealed class NanoBananaEngine : IDisposable
{
    static readonly object SharedGate = new();
    static NanoBananaEngine? _shared;

    readonly PipelineCache _pipelines = new();
    readonly SemaphoreSlim _device = new(1, 1);
    readonly object _gate = new();
    EngineSession _session = new(new EngineSessionOptions());

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

    public EngineOptions Options { get; }

    public bool IsDisposed { get; private set; }

    /// <summary>Registered LoRAs and their weights, applied to every render without merging.</summary>
    public LoraRegistry Loras { get; } = new();

    /// <summary>Real-ESRGAN and imported upscaling models, with their sessions.</summary>
    public UpscaleModelStore Upscalers { get; }

    /// <summary>The current session; defaults: Full memory, CPU or CUDA, no budget, no model.</summary>
    public EngineSession Session
    {
        get { lock (_gate) return _session; }
    }

    /// <summary>
    /// Configures how renders run from now on and releases what was loaded under the old settings. Checks the
    /// model folder opens. The device is resolved now (Auto → CUDA when ONNX Runtime reports it, else CPU).
    /// </summary>
    public SessionInfo OpenSession(EngineSessionOptions options)
    {
        var session = new EngineSession(options);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            _pipelines.ReleaseAll();
            _session = session;
        }
        return GetSessionInfo();
    }

    /// <summary>Back to the defaults, releasing every model.</summary>
    public void CloseSession() => OpenSession(new EngineSessionOptions());

    public SessionInfo GetSessionInfo()
    {
        var session = Session;
        var open = _pipelines.All;
        var pipeline = (session.ModelPath is { } model ? _pipelines.Find(model) : null) ?? open.FirstOrDefault();
        var sessions = pipeline?.Sessions;
        int segments = pipeline?.Unet is Unet.SegmentedUnetRunner runner ? runner.Segments.Count : 0;
        return new SessionInfo(session.ModelPath ?? pipeline?.Model.Folder, session.Options.Device, session.RequestedDevice, session.Options.MemoryMode, session.Options.BudgetBytes,
            segments, open.Sum(p => p.Sessions.ResidentBytes), sessions?.ResidentBytesByKey ?? new Dictionary<string, long>(),
            sessions?.LoadCounts ?? new Dictionary<string, int>(), session.LastPeakBytes);
    }

    /// <summary>Releases every session and weight buffer now; settings are kept and models reload on the next render.</summary>
    public void ClearCache()
    {
        foreach (var pipeline in _pipelines.All) pipeline.Sessions.ReleaseAll();
        Upscalers.ReleaseSessions();
    }

    /// <summary>Test-NanoBananaModel's checks of a model folder (<see cref="ModelIntegrity"/>), including building the
    /// model's own scheduler as a render would, so a config a render refuses fails here. Never throws.</summary>
    public static IReadOnlyList<ModelCheck> CheckModel(string folder, string? manifestPath = null, bool gpuProvider = false) =>
        ModelIntegrity.Check(folder, manifestPath, gpuProvider, config =>
        {
            if (config.ClassName is { } name && Schedulers.SchedulerFactory.IsKnown(name))
                _ = Schedulers.SchedulerFactory.Create(config, new TextToImageRequest().Steps).Timesteps;
        });

    /// <summary>
    /// The estimated peak of a render per mode (Get-RenderMemoryEstimate) under <paramref name="budgetBytes"/>, from the
    /// graph of <paramref name="modelFolder"/>, else of the session's model, else from SDXL 1.0's published shapes in
    /// <paramref name="precisionBytes"/>-byte weights; each estimate names the model it assumed. <paramref name="device"/>
    /// plans for another device than the session's (fp16 weights cost more on the CPU, which casts them to fp32).
    /// </summary>
    public IReadOnlyList<MemoryEstimate> EstimateMemory(string? modelFolder, int width, int height, int batch, long? budgetBytes, int precisionBytes = 2, ExecutionDevice? device = null)
    {
        var session = Session;
        string? folder = modelFolder ?? session.ModelPath;
        var shape = folder is null ? PublishedSdxlShape(precisionBytes, device ?? session.Options.Device) : session.ShapeOf(session.OpenModel(folder), device);
        return Enum.GetValues<MemoryMode>().Select(mode => new MemoryPolicy(mode, budgetBytes, shape, width, height, batch).Estimate()).ToArray();
    }

    static MemoryPlanner.ModelShape PublishedSdxlShape(int precisionBytes, ExecutionDevice device)
    {
        int elementBytes = MemoryPlanner.ActivationElementBytes(device, halfGraph: precisionBytes == 2);
        var counts = SyntheticModelBuilder.CountParameters(new SyntheticModelOptions { Size = SyntheticModelSize.Full });
        return new MemoryPlanner.ModelShape($"SDXL 1.0 (published shapes, {precisionBytes}-byte weights; no model given)",
            (counts.ParametersOf(DiffusionModel.TextEncoder) + counts.ParametersOf(DiffusionModel.TextEncoder2)) * precisionBytes,
            counts.ParametersOf(DiffusionModel.Unet) * precisionBytes, counts.ParametersOf(DiffusionModel.VaeDecoder) * precisionBytes,
            [320, 640, 1280], [5, 10, 20], [false, true, true], 128, UnetElementBytes: elementBytes, VaeElementBytes: elementBytes);
    }

    /// <summary>The model folder a command uses: its own, else the session's, else <c>$env:NANOBANANA_MODEL</c>.</summary>
    public string ResolveModelPath(string? explicitPath) => Session.ResolveModelPath(explicitPath);

    /// <summary>
    /// Checks and resolves a catalogue row without rendering: parses its cells (<see cref="RenderRow.ToRequest"/>,
    /// drawing the seed when it has none), chooses the model (<see cref="ResolveModelPath"/>) and the file the image
    /// goes to in <paramref name="output"/> (the row's sanitised name inside a folder, never outside it), if any.
    /// </summary>
    /// <exception cref="RenderRowException">A cell is invalid.</exception>
    /// <exception cref="ModelPathNotSetException">No model folder is set anywhere.</exception>
    public RenderJob Prepare(RenderRow row, OutputTarget? output = null)
    {
        ArgumentNullException.ThrowIfNull(row);
        var request = row.ToRequest();
        string model = ResolveModelPath(row.ModelPath);
        return new RenderJob(row, request, model, (output ?? OutputTarget.InMemory).PathFor(row.FileStem(request.Seed!.Value)));
    }

    /// <summary>
    /// The catalogue cmdlet's single call: checks the output file can be written (before the expensive part),
    /// renders, then writes the PNG with its A1111 parameters atomically. Cancelling leaves no file.
    /// </summary>
    public RgbaImage Render(RenderJob job, OutputTarget output, IProgress<DenoiseProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(output);
        if (job.OutputPath is { } path) output.EnsureWritable(path, $"Row {job.Row.Label}");
        var image = Render(job.ModelFolder, job.Request, progress, cancellationToken);
        if (job.OutputPath is { } target) output.Write(image, target, $"Row {job.Row.Label}");
        return image;
    }

    /// <summary>
    /// Renders one request on a model folder, reusing loaded sessions. The render's LoRAs are resolved once (registered
    /// weights, overridden by the request's) and its memory policy planned from the session and the request's size; a
    /// render whose estimated peak exceeds the session's budget is refused before it starts.
    /// </summary>
    public RgbaImage Render(string modelFolder, TextToImageRequest request, IProgress<DenoiseProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        request.Validate(); // sizes within limits before the memory estimate multiplies them
        var session = Session;
        var loras = Loras.Select(request.LoraWeights);
        var policy = session.PolicyFor(session.OpenModel(modelFolder), request);
        CheckBudget(policy, request);
        var pipeline = _pipelines.Get(session, modelFolder, policy, Options.UserDataDirectory);
        return OnDevice(() =>
        {
            ProcessMemory.ResetPeak();
            var image = pipeline.Render(request, policy, loras, progress, cancellationToken);
            long peak = ProcessMemory.PeakBytes();
            session.RecordPeak(peak);
            return image.WithPeakMemory(peak);
        }, cancellationToken);
    }

    /// <summary>The pipeline a render of <paramref name="request"/> on the folder uses, opened and kept as
    /// <see cref="Render(string, TextToImageRequest, IProgress{DenoiseProgress}?, CancellationToken)"/> keeps it (for
    /// benchmarks and diagnostics that drive its UNet directly).</summary>
    public TextToImagePipeline GetPipeline(string modelFolder, TextToImageRequest request)
    {
        var session = Session;
        return _pipelines.Get(session, modelFolder, session.PolicyFor(session.OpenModel(modelFolder), request), Options.UserDataDirectory);
    }

    static void CheckBudget(MemoryPolicy policy, TextToImageRequest request)
    {
        int? tilePixels = request.VaeTiling is { } tiling ? tiling.TileSize * 8 : null;
        var chosen = policy.Estimate(tilePixels);
        if (chosen.Fits) return;
        var fitting = Enum.GetValues<MemoryMode>().FirstOrDefault(mode => (policy with { Mode = mode }).Estimate(tilePixels).Fits, policy.Mode);
        throw new RenderMemoryException(chosen, fitting == policy.Mode ? null : fitting);
    }

    /// <summary>Upscales an image with a Real-ESRGAN (or imported) model, tile by tile, queued for the device like renders.</summary>
    public RgbaImage Upscale(RgbaImage image, UpscaleOptions options, IProgress<UpscaleProgress>? progress = null, CancellationToken cancellation = default)
    {
        var upscaler = Upscalers.Get(options.Model, options.Device);
        return OnDevice(() => upscaler.Upscale(image, options, progress, cancellation), cancellation);
    }

    T OnDevice<T>(Func<T> work, CancellationToken cancellationToken)
    {
        _device.Wait(cancellationToken);
        try
        {
            return work();
        }
        finally
        {
            _device.Release();
        }
    }

    /// <summary>How many times each ONNX file of a model folder was loaded (relative path → count); empty when the
    /// model is not open. Rendering many rows should leave every count at 1.</summary>
    public IReadOnlyDictionary<string, int> LoadCounts(string modelFolder) =>
        _pipelines.Find(modelFolder)?.Sessions.LoadCounts ?? new Dictionary<string, int>();

    /// <summary>
    /// Set-LoraWeight: registers or re-weights a LoRA. When the session names a model, the LoRA is mapped onto its
    /// UNet now (<see cref="LoraCompatibility"/>); one that does not fit is unregistered again and the error thrown.
    /// </summary>
    public (LoraEntry Entry, string? Warning) SetLora(string? path, string? name, double weight)
    {
        var entry = Loras.Set(path, name, weight);
        var session = Session;
        if (session.ModelPath is not { } model) return (entry, null);
        try
        {
            return (entry, LoraCompatibility.Check(entry, session.OpenModel(model)[DiffusionModel.Unet].Path));
        }
        catch (Exception e) when (e is InvalidDataException or ModelInvalidException)
        {
            Loras.Remove(entry.Name);
            throw;
        }
    }

    /// <summary>Disposes a model's sessions, freeing its memory.</summary>
    public void ReleaseModel(string modelFolder) => _pipelines.Release(modelFolder);

    public void Dispose()
    {
        lock (_gate) IsDisposed = true;
        _pipelines.ReleaseAll();
        Upscalers.Dispose();
    }
}
