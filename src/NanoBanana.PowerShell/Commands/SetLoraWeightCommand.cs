using System.Management.Automation;
using NanoBanana.PowerShell.Infrastructure;

namespace NanoBanana.PowerShell.Commands;

/// <summary>Registers a LoRA (if new) and sets the weight every later render applies it with, without merging.</summary>
[Cmdlet(VerbsCommon.Set, "LoraWeight", DefaultParameterSetName = NameSet)]
[OutputType(typeof(LoraInfo))]
public sealed class SetLoraWeightCommand : PSCmdlet
{
    const string PathSet = "Path", NameSet = "Name";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter(ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(Mandatory = true, ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(LoraNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(-10.0, 10.0)]
    public double Weight { get; set; } = 0.8;

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        string? path = null;
        try
        {
            path = ParameterSetName == PathSet ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path) : null;
            var (entry, warning) = NanoBananaEngine.Shared.SetLora(path, Name, Weight);
            if (warning is not null) WriteWarning($"LoRA '{entry.Name}': {warning}");
            WriteVerbose($"LoRA '{entry.Name}' ({entry.TargetCount} layers, rank {entry.Rank}) now applies with weight {entry.Weight}.");
            if (PassThru) WriteObject(LoraViews.ToView(entry));
        }
        catch (Exception ex) when (LoraViews.TryCreateError(ex, (object?)path ?? Name!, out var record))
        {
            WriteError(record);
        }
    }
}
