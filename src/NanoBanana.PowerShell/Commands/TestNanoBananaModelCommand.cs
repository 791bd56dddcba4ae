using NanoBanana;
using System.Management.Automation;
using NanoBanana.Models;
using NanoBanana.PowerShell.Infrastructure;

namespace NanoBanana.PowerShell.Commands;

/// <summary>Checks a diffusers/Optimum ONNX model folder: layout, ONNX files, inputs/outputs, external data, tokenizers, manifest.</summary>
[Cmdlet(VerbsDiagnostic.Test, "NanoBananaModel")]
[OutputType(typeof(ModelCheckResult), typeof(bool))]
public sealed class TestNanoBananaModelCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ModelPath", "FullName")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Manifest { get; set; }

    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        IReadOnlyList<ModelCheck> checks;
        try
        {
            string folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            string? manifest = Manifest is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Manifest);
            checks = NanoBananaEngine.CheckModel(folder, manifest, NanoBanana.Runtime.ExecutionProviders.IsCudaAvailable);
        }
        catch (Exception ex) when (ErrorRecords.TryCreate(ex, Path, ex is ArgumentException or SessionStateException
            ? (ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument) : null, out var record))
        {
            // A path PowerShell cannot resolve; the checks themselves never throw.
            WriteError(record);
            return;
        }
        if (Quiet)
        {
            WriteObject(checks.All(c => c.Status != ModelCheckStatus.Failed));
            return;
        }
        foreach (var check in checks) WriteObject(new ModelCheckResult(check.Component, check.Check, check.Status.ToString(), check.Detail));
    }
}
