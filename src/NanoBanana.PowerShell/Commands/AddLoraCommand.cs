using System.Management.Automation;
using NanoBanana.PowerShell.Infrastructure;
using NanoBanana.Runtime;

namespace NanoBanana.PowerShell.Commands;

/// <summary>Registers a LoRA file; every later render applies it with its weight, without merging.</summary>
[Cmdlet(VerbsCommon.Add, "Lora", SupportsShouldProcess = true)]
[OutputType(typeof(LoraInfo))]
public sealed class AddLoraCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [PSDefaultValue(Help = "the file name without its extension")]
    public string? Name { get; set; }

    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(-10.0, 10.0)]
    public double Weight { get; set; } = 0.8;

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        string path;
        try
        {
            path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        }
        catch (Exception ex) when (LoraViews.TryCreateError(ex, Path, out var record))
        {
            WriteError(record); // a path PowerShell cannot resolve fails this item only
            return;
        }
        if (!ShouldProcess(path, $"Register LoRA{(Name is null ? "" : $" '{Name}'")} with weight {Weight}")) return;
        LoraCommands.Apply(this, path, Name, Weight, PassThru, target: path);
    }
}
