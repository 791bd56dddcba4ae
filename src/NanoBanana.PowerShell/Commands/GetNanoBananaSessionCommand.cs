using System.Management.Automation;
using NanoBanana.PowerShell.Infrastructure;

namespace NanoBanana.PowerShell.Commands;

/// <summary>Shows the engine's session: model, device, memory mode, budget, resident bytes, load counts, last peak.</summary>
[Cmdlet(VerbsCommon.Get, "NanoBananaSession")]
[OutputType(typeof(NanoBananaSession))]
public sealed class GetNanoBananaSessionCommand : PSCmdlet
{
    protected override void EndProcessing() => WriteObject(SessionViews.ToView(NanoBananaEngine.Shared.GetSessionInfo()));
}
