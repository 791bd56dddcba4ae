using System.Management.Automation;
using NanoBanana.Lora;
using NanoBanana.PowerShell.Infrastructure;

namespace NanoBanana.PowerShell.Commands;

/// <summary>Unregisters LoRAs; later renders no longer apply them.</summary>
[Cmdlet(VerbsCommon.Remove, "Lora", SupportsShouldProcess = true)]
public sealed class RemoveLoraCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(LoraNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    protected override void ProcessRecord()
    {
        foreach (string name in Name)
        {
            if (!ShouldProcess(name, "Remove LoRA")) continue;
            if (!NanoBananaEngine.Shared.Loras.Remove(name))
                WriteError(new ErrorRecord(new LoraNotRegisteredException(name, $"No LoRA named '{name}' is registered; Get-LoraWeight lists the registered ones."),
                    ErrorIds.LoraNotFound, ErrorCategory.ObjectNotFound, name));
        }
    }
}
