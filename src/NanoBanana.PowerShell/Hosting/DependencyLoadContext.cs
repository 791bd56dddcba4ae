using System.Reflection;
using System.Runtime.Loader;

namespace NanoBanana.PowerShell.Hosting;

/// <summary>
/// The module's private AssemblyLoadContext. It loads the engine and its dependencies from the
/// module's <c>Dependencies/</c> folder, and their native libraries from <c>runtimes/&lt;rid&gt;/native</c>
/// as listed in the engine's deps.json, so they never bind to another module's copies.
/// </summary>
internal sealed class DependencyLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver _resolver;

    public DependencyLoadContext(string engineAssemblyPath)
        : base("NanoBanana", isCollectible: false)
    {
        EngineAssemblyPath = engineAssemblyPath;
        _resolver = new AssemblyDependencyResolver(engineAssemblyPath);
    }

    public string EngineAssemblyPath { get; }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // Anything not shipped in Dependencies/ (the framework, PowerShell itself) comes from the default context.
        string? path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        string? path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
