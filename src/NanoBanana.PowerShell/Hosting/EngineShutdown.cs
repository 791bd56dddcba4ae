using System.Runtime.CompilerServices;

namespace NanoBanana.PowerShell.Hosting;

/// <summary>
/// Releases the process-wide engine when the module is removed. Kept in its own method, not inlined,
/// so the engine assembly is only touched (and loaded) if the module actually used it.
/// </summary>
internal static class EngineShutdown
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Run() => NanoBanana.NanoBananaEngine.ShutdownShared();
}
