using System.Management.Automation;
using NanoBanana.PowerShell.Infrastructure;
using NanoBanana.Runtime;

namespace NanoBanana.PowerShell.Commands;

/// <summary>The memory planner's estimated peak of a render per memory mode, from the model's own graph.</summary>
[Cmdlet(VerbsCommon.Get, "RenderMemoryEstimate")]
[OutputType(typeof(RenderMemoryEstimate))]
public sealed class GetRenderMemoryEstimateCommand : PSCmdlet
{
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(64, 16384)]
    public int Width { get; set; } = 1024;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(64, 16384)]
    public int Height { get; set; } = 1024;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 64)]
    public int BatchSize { get; set; } = 1;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("Full", "Balanced", "Low")]
    public string[]? MemoryMode { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("Float16", "Float32")]
    public string Precision { get; set; } = "Float16";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? ModelPath { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(256, 1_048_576)]
    public int MemoryBudgetMB { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("Cpu", "Cuda")]
    public string? Device { get; set; }

    protected override void ProcessRecord()
    {
        string? model = ModelPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(ModelPath);
        long? budget = MyInvocation.BoundParameters.ContainsKey(nameof(MemoryBudgetMB)) ? (long)MemoryBudgetMB << 20 : NanoBananaEngine.Shared.Session.Options.BudgetBytes;
        try
        {
            var estimates = NanoBananaEngine.Shared.EstimateMemory(model, Width, Height, BatchSize, budget, Precision == "Float32" ? 4 : 2,
                Device is null ? null : Enum.Parse<ExecutionDevice>(Device, ignoreCase: true));
            foreach (var estimate in estimates.Where(e => MemoryMode is null || MemoryMode.Contains(e.Mode.ToString(), StringComparer.OrdinalIgnoreCase)))
                WriteObject(SessionViews.ToView(estimate));
        }
        catch (Exception ex) when (RenderErrors.TryCreate(ex, ModelPath ?? (object)$"{Width}x{Height}", out var record))
        {
            WriteError(record);
        }
    }
}
