using System.Management.Automation;
using NanoBanana.PowerShell.Infrastructure;

namespace NanoBanana.PowerShell.Commands;

/// <summary>Changes the weight of a registered LoRA; nothing is reloaded.</summary>
[Cmdlet(VerbsCommon.Set, "LoraWeight", SupportsShouldProcess = true)]
[OutputType(typeof(LoraInfo))]
public sealed class SetLoraWeightCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(LoraNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(-10.0, 10.0)]
    public double Weight { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Name, $"Set LoRA weight to {Weight}")) return;
        LoraCommands.Apply(this, path: null, Name, Weight, PassThru, target: Name);
    }
}
