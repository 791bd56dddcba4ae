using System.Management.Automation;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>A cmdlet whose long engine calls stop when the user presses Ctrl+C (StopProcessing).</summary>
public abstract class CancellableCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Cancelled by StopProcessing; pass it to every long engine call.</summary>
    protected CancellationToken Cancellation => _stopping.Token;

    protected override void StopProcessing() => _stopping.Cancel();

    public void Dispose() => _stopping.Dispose();
}
