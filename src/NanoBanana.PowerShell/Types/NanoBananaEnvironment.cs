namespace NanoBanana;

/// <summary>What the module runs on (Get-NanoBananaEnvironment): versions, execution providers, why CUDA is not
/// used when it is not, and where each library was loaded from.</summary>
public sealed class NanoBananaEnvironment
{
    internal NanoBananaEnvironment(Runtime.RuntimeEnvironment e)
    {
        EngineVersion = e.EngineVersion; OnnxRuntimeVersion = e.OnnxRuntimeVersion; ExecutionProviders = e.ExecutionProviders.ToArray();
        DefaultDevice = e.DefaultDevice.ToString(); CudaUnavailableReason = e.CudaUnavailableReason; SharedThreadPool = e.SharedThreadPool;
        SkiaSharpVersion = e.SkiaSharpVersion;
        Libraries = e.Libraries.Select(l => new LoadedLibrary(l.Name, l.Version, l.LoadContext, l.Location)).ToArray();
    }

    public string EngineVersion { get; }

    public string OnnxRuntimeVersion { get; }

    /// <summary>The providers this ONNX Runtime build reports, e.g. CPUExecutionProvider.</summary>
    public string[] ExecutionProviders { get; }

    /// <summary>Where -Device Auto renders: Cpu or Cuda.</summary>
    public string DefaultDevice { get; }

    /// <summary>Why CUDA is not used (no CUDA provider in this build, or the library that failed to load); empty when it is.</summary>
    public string? CudaUnavailableReason { get; }

    /// <summary>Whether every session runs on one ONNX Runtime thread pool (the engine created the runtime's environment);
    /// false when something else in the process created it first, and each session has its own pool.</summary>
    public bool SharedThreadPool { get; }

    public string SkiaSharpVersion { get; }

    /// <summary>Each library the engine bound to, with its load context and file.</summary>
    public LoadedLibrary[] Libraries { get; }
}

/// <summary>One library the engine bound to.</summary>
public sealed class LoadedLibrary
{
    internal LoadedLibrary(string name, string version, string loadContext, string location)
    {
        Name = name; Version = version; LoadContext = loadContext; Location = location;
    }

    public string Name { get; }

    public string Version { get; }

    /// <summary>"NanoBanana" for the module's own AssemblyLoadContext.</summary>
    public string LoadContext { get; }

    public string Location { get; }

    public override string ToString() => $"{Name} {Version}";
}
