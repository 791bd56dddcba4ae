using System.Management.Automation;

namespace NanoBanana.PowerShell.Commands;

/// <summary>Releases every session and weight buffer now; the session's settings stay and models reload when next used.</summary>
[Cmdlet(VerbsCommon.Clear, "NanoBananaCache", SupportsShouldProcess = true)]
public sealed class ClearNanoBananaCacheCommand : PSCmdlet
{
    protected override void EndProcessing()
    {
        if (ShouldProcess("NanoBanana engine", "Release every loaded model")) NanoBananaEngine.Shared.ClearCache();
    }
}
