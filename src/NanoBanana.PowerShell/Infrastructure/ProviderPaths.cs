using System.Management.Automation;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>Turns what a user typed (relative to the current location, on any file-system drive) into a file-system path.</summary>
internal static class ProviderPaths
{
    /// <summary>The provider path, or null for a null or blank value (an empty CSV cell means "not given").</summary>
    public static string? ToProviderPathOrNull(this PSCmdlet cmdlet, string? path) =>
        string.IsNullOrWhiteSpace(path) ? null : cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
}
