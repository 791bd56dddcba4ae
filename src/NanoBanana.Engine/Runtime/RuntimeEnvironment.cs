using System.Reflection;
using System.Runtime.Loader;
using Microsoft.ML.OnnxRuntime;
using SkiaSharp;

namespace NanoBanana.Runtime;

/// <summary>What the engine runs on: versions, execution providers, whether sessions share one thread pool
/// (<see cref="OrtEnvironment"/>) and where each library was loaded from.</summary>
public sealed record RuntimeEnvironment(
    string EngineVersion,
    string OnnxRuntimeVersion,
    IReadOnlyList<string> ExecutionProviders,
    ExecutionDevice DefaultDevice,
    string? CudaUnavailableReason,
    bool SharedThreadPool,
    string SkiaSharpVersion,
    IReadOnlyList<LoadedLibrary> Libraries)
{
    // The assemblies the engine itself bound to (not any same-named copy another component loaded).
    private static readonly Assembly[] EngineLibraries =
    {
        typeof(RuntimeEnvironment).Assembly, typeof(InferenceSession).Assembly, typeof(SKImage).Assembly,
        typeof(Google.Protobuf.MessageParser).Assembly,
    };

    /// <summary>Reads the environment; touching ONNX Runtime and SkiaSharp here also proves their native libraries load.</summary>
    public static RuntimeEnvironment Capture()
    {
        string ortVersion = OrtEnvironment.Instance.GetVersionString();
        string skiaVersion = SkiaSharp.SkiaSharpVersion.Native.ToString();
        var libraries = EngineLibraries
            .Select(a => new LoadedLibrary(a.GetName().Name!, a.GetName().Version?.ToString() ?? "", AssemblyLoadContext.GetLoadContext(a)?.Name ?? "", a.Location))
            .ToList();
        return new RuntimeEnvironment(
            typeof(RuntimeEnvironment).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
            ortVersion,
            Runtime.ExecutionProviders.AvailableProviders,
            Runtime.ExecutionProviders.Resolve(ExecutionDevice.Auto),
            Runtime.ExecutionProviders.CudaUnavailableReason,
            OrtEnvironment.SharesThreads,
            skiaVersion,
            libraries);
    }
}

public sealed record LoadedLibrary(string Name, string Version, string LoadContext, string Location);
