using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace NanoBanana.Runtime;

/// <summary>
/// Chooses the execution provider and builds <see cref="SessionOptions"/> for it. The CPU package
/// (the default build) reports only the CPU provider; the GPU build (<c>build.ps1 -Gpu</c>) swaps in
/// ONNX Runtime's CUDA package, whose provider is then reported and used.
/// </summary>
public static class ExecutionProviders
{
    public const string CudaProvider = "CUDAExecutionProvider";

    private static readonly Lazy<IReadOnlyList<string>> Available = new(() => OrtEnvironment.Instance.GetAvailableProviders());

    private static readonly Lazy<string?> CudaProblem = new(ProbeCuda);

    private static int _fallbackNoticeTaken;

    public static IReadOnlyList<string> AvailableProviders => Available.Value;

    /// <summary>Whether CUDA can run here: the runtime has the provider and its library (with CUDA and cuDNN) loads.</summary>
    public static bool IsCudaAvailable => CudaProblem.Value is null;

    /// <summary>Why CUDA cannot run here (the missing provider or the library that failed to load); null when it can.</summary>
    public static string? CudaUnavailableReason => CudaProblem.Value;

    /// <summary>Resolves <see cref="ExecutionDevice.Auto"/>; asking for CUDA where it cannot run is an error, not a silent fallback.</summary>
    public static ExecutionDevice Resolve(ExecutionDevice requested) => requested switch
    {
        ExecutionDevice.Auto => IsCudaAvailable ? ExecutionDevice.Cuda : ExecutionDevice.Cpu,
        ExecutionDevice.Cuda when !IsCudaAvailable => throw new DeviceUnavailableException(requested, CudaUnavailableReason!),
        _ => requested,
    };

    /// <summary>
    /// Once per process, the notice that Auto fell back to the CPU although this build has the CUDA provider (its
    /// library or CUDA's failed to load); null otherwise and afterwards. The CPU build never notices: it has no CUDA.
    /// </summary>
    public static string? TakeFallbackNotice() =>
        AvailableProviders.Contains(CudaProvider) && !IsCudaAvailable && Interlocked.Exchange(ref _fallbackNoticeTaken, 1) == 0
            ? $"The CUDA provider could not be used, so renders run on the CPU: {CudaUnavailableReason}"
            : null;

    // Appending the provider loads its library (and through it CUDA and cuDNN), which is where a machine without
    // them fails. ONNX Runtime's message says only "Failed to load shared library"; loading the provider library
    // ourselves gets the loader's own message, which names the library that is missing.
    private static string? ProbeCuda()
    {
        if (!AvailableProviders.Contains(CudaProvider))
            return "this ONNX Runtime build reports only " + string.Join(", ", AvailableProviders)
                + " (build the module with 'build.ps1 -Gpu' for the CUDA package)";
        try
        {
            using var options = new SessionOptions();
            options.AppendExecutionProvider_CUDA(0);
            return null;
        }
        catch (OnnxRuntimeException e)
        {
            return $"{e.Message.Trim()} ({ProviderLoadError() ?? "the loader gave no reason"})";
        }
    }

    private static string? ProviderLoadError()
    {
        try
        {
            NativeLibrary.Free(NativeLibrary.Load("onnxruntime_providers_cuda", typeof(InferenceSession).Assembly, null));
            return null;
        }
        catch (DllNotFoundException e)
        {
            return e.Message.Trim();
        }
    }

    /// <summary>
    /// Session options for a device. On CUDA the arena grows only as requested
    /// (<c>arena_extend_strategy = kSameAsRequested</c>) and is capped at <paramref name="gpuMemoryLimitBytes"/>,
    /// so released segments give their memory back to the budget.
    /// </summary>
    public static SessionOptions CreateSessionOptions(ExecutionDevice device, int deviceId = 0, long? gpuMemoryLimitBytes = null)
    {
        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        OrtEnvironment.UseSharedThreads(options);
        MemoryPolicy.ConfigureSession(options);
        if (Resolve(device) == ExecutionDevice.Cuda)
        {
            using var cuda = new OrtCUDAProviderOptions();
            var settings = new Dictionary<string, string>
            {
                ["device_id"] = deviceId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["arena_extend_strategy"] = "kSameAsRequested",
                ["cudnn_conv_algo_search"] = "HEURISTIC",
            };
            if (gpuMemoryLimitBytes is long limit)
                settings["gpu_mem_limit"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
            cuda.UpdateOptions(settings);
            options.AppendExecutionProvider_CUDA(cuda);
        }
        return options;
    }
}
