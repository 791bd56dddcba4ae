using System.Management.Automation;

namespace NanoBanana.PowerShell.Commands;

/// <summary>Releases every loaded model and returns the engine to its defaults (no model, Full memory, no budget).</summary>
[Cmdlet(VerbsCommon.Close, "NanoBananaSession", SupportsShouldProcess = true)]
public sealed class CloseNanoBananaSessionCommand : PSCmdlet
{
    protected override void EndProcessing()
    {
        if (ShouldProcess("NanoBanana engine", "Release every model and reset the session")) NanoBananaEngine.Shared.CloseSession();
    }
}
