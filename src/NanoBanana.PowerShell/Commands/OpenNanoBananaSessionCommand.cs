using System.Management.Automation;
using NanoBanana.PowerShell.Infrastructure;
using NanoBanana.Runtime;

namespace NanoBanana.PowerShell.Commands;

/// <summary>Sets the model, device, memory mode and budget every later render of this process uses.</summary>
[Cmdlet(VerbsCommon.Open, "NanoBananaSession")]
[OutputType(typeof(NanoBananaSession))]
public sealed class OpenNanoBananaSessionCommand : PSCmdlet
{
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? ModelPath { get; set; }

    [Parameter]
    [ValidateSet("Auto", "Cuda", "Cpu")]
    public string Device { get; set; } = "Auto";

    [Parameter]
    [ValidateRange(0, 64)]
    public int DeviceId { get; set; }

    [Parameter]
    [ValidateSet("Full", "Balanced", "Low")]
    public string MemoryMode { get; set; } = "Full";

    [Parameter]
    [ValidateRange(256, 1_048_576)]
    public int MemoryBudgetMB { get; set; }

    protected override void EndProcessing()
    {
        string? model = ModelPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(ModelPath);
        var options = new EngineSessionOptions
        {
            ModelPath = model,
            Device = Enum.Parse<ExecutionDevice>(Device, ignoreCase: true),
            DeviceId = DeviceId,
            MemoryMode = Enum.Parse<MemoryMode>(MemoryMode, ignoreCase: true),
            BudgetBytes = MyInvocation.BoundParameters.ContainsKey(nameof(MemoryBudgetMB)) ? (long)MemoryBudgetMB << 20 : null,
        };
        try
        {
            var info = NanoBananaEngine.Shared.OpenSession(options);
            if (options.Device == ExecutionDevice.Auto) DeviceNotice.WarnOnce(this);
            WriteVerbose($"Renders run on {info.Device} in {info.MemoryMode} mode" + (info.BudgetBytes is long b ? $" within {b >> 20} MiB." : "."));
            WriteObject(SessionViews.ToView(info));
        }
        catch (Exception ex) when (RenderErrors.TryCreate(ex, ModelPath ?? (object)options, out var record))
        {
            ThrowTerminatingError(record);
        }
    }
}
