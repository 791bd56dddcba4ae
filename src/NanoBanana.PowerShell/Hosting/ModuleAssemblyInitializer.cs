using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace NanoBanana.PowerShell.Hosting;

/// <summary>
/// Microsoft's pattern for resolving module assembly dependency conflicts: when the default context
/// cannot find <c>NanoBanana.Engine</c> (it is deliberately not next to this assembly), load it into the
/// module's own <see cref="DependencyLoadContext"/>; everything the engine needs then resolves there.
/// </summary>
/// <remarks>
/// The hook is installed once per process and never removed. This assembly and the dependency context are
/// never unloaded, and PowerShell reuses the loaded assembly for every import in every scope and runspace:
/// <c>Import-Module -Force</c> from a nested scope (a Pester <c>BeforeAll</c>) imports the new instance
/// first and removes the old one after, so unhooking in <see cref="OnRemove"/> left the new import unable
/// to resolve the engine.
/// </remarks>
public sealed class ModuleAssemblyInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private const string EngineAssemblyName = "NanoBanana.Engine";

    private static readonly string DependencyDirectory = Path.Combine(
        Path.GetDirectoryName(typeof(ModuleAssemblyInitializer).Assembly.Location)!, "Dependencies");

    private static readonly Lazy<DependencyLoadContext> Context = new(
        () => new DependencyLoadContext(Path.Combine(DependencyDirectory, EngineAssemblyName + ".dll")));

    private static int _hooked;

    public void OnImport()
    {
        if (Interlocked.Exchange(ref _hooked, 1) == 0) AssemblyLoadContext.Default.Resolving += ResolveEngine;
    }

    /// <summary>Releases the engine's models when the module is removed; an engine never loaded is not loaded for this.</summary>
    public void OnRemove(PSModuleInfo module)
    {
        if (Context.IsValueCreated) EngineShutdown.Run();
    }

    private static Assembly? ResolveEngine(AssemblyLoadContext defaultContext, AssemblyName name)
    {
        // Only the engine is redirected; its own references are then resolved inside our context.
        if (!string.Equals(name.Name, EngineAssemblyName, StringComparison.Ordinal)) return null;
        return Context.Value.LoadFromAssemblyName(name);
    }
}
