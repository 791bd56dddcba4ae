using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace NanoBanana.PowerShell.Hosting;

/// <summary>
/// Microsoft's pattern for resolving module assembly dependency conflicts: when the default context
/// cannot find <c>NanoBanana.Engine</c> (it is deliberately not next to this assembly), load it into the
/// module's own <see cref="DependencyLoadContext"/>; everything the engine needs then resolves there.
/// </summary>
public sealed class ModuleAssemblyInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private const string EngineAssemblyName = "NanoBanana.Engine";

    private static readonly string DependencyDirectory = Path.Combine(
        Path.GetDirectoryName(typeof(ModuleAssemblyInitializer).Assembly.Location)!, "Dependencies");

    private static readonly Lazy<DependencyLoadContext> Context = new(
        () => new DependencyLoadContext(Path.Combine(DependencyDirectory, EngineAssemblyName + ".dll")));

    public void OnImport() => AssemblyLoadContext.Default.Resolving += ResolveEngine;

    public void OnRemove(PSModuleInfo module)
    {
        AssemblyLoadContext.Default.Resolving -= ResolveEngine;
        EngineShutdown.Run();
    }

    private static Assembly? ResolveEngine(AssemblyLoadContext defaultContext, AssemblyName name)
    {
        // Only the engine is redirected; its own references are then resolved inside our context.
        if (!string.Equals(name.Name, EngineAssemblyName, StringComparison.Ordinal)) return null;
        return Context.Value.LoadFromAssemblyName(name);
    }
}
