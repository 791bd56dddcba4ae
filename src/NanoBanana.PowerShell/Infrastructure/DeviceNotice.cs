using System.Management.Automation;
using NanoBanana.Runtime;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>The one warning of a process whose GPU build could not load CUDA and renders on the CPU instead.</summary>
internal static class DeviceNotice
{
    public static void WarnOnce(Cmdlet cmdlet)
    {
        if (ExecutionProviders.TakeFallbackNotice() is { } notice) cmdlet.WriteWarning(notice);
    }
}
