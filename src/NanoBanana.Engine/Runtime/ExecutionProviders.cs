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

    private static readonly Lazy<IReadOnlyList<string>> Available = new(() => OrtEnv.Instance().GetAvailableProviders());

    public static IReadOnlyList<string> AvailableProviders => Available.Value;

    public static bool IsCudaAvailable => AvailableProviders.Contains(CudaProvider);

    /// <summary>Resolves <see cref="ExecutionDevice.Auto"/>; asking for CUDA where it is absent is an error, not a silent fallback.</summary>
    public static ExecutionDevice Resolve(ExecutionDevice requested) => requested switch
    {
        ExecutionDevice.Auto => IsCudaAvailable ? ExecutionDevice.Cuda : ExecutionDevice.Cpu,
        ExecutionDevice.Cuda when !IsCudaAvailable => throw new NotSupportedException(
            "CUDA was requested but this ONNX Runtime build reports only: " + string.Join(", ", AvailableProviders)
            + ". Build the module with 'build.ps1 -Gpu' (the GPU runtime package) on a machine with CUDA, or use -Device Cpu."),
        _ => requested,
    };

    /// <summary>
    /// Session options for a device. On CUDA the arena grows only as requested
    /// (<c>arena_extend_strategy = kSameAsRequested</c>) and is capped at <paramref name="gpuMemoryLimitBytes"/>,
    /// so released segments give their memory back to the budget.
    /// </summary>
    public static SessionOptions CreateSessionOptions(ExecutionDevice device, int deviceId = 0, long? gpuMemoryLimitBytes = null)
    {
        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
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
