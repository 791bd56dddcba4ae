using System.Management.Automation;
using NanoBanana.Runtime;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>The one engine call behind Add-Lora and Set-LoraWeight, with its warning, verbose line and errors.</summary>
internal static class LoraCommands
{
    public static void Apply(PSCmdlet cmdlet, string? path, string? name, double weight, bool passThru, object target)
    {
        try
        {
            var (entry, warning) = NanoBananaEngine.Shared.SetLora(path, name, weight);
            if (warning is not null) cmdlet.WriteWarning($"LoRA '{entry.Name}': {warning}");
            cmdlet.WriteVerbose($"LoRA '{entry.Name}' ({entry.TargetCount} layers, rank {entry.Rank}) now applies with weight {entry.Weight}.");
            if (passThru) cmdlet.WriteObject(LoraViews.ToView(entry));
        }
        catch (Exception ex) when (LoraViews.TryCreateError(ex, target, out var record))
        {
            cmdlet.WriteError(record);
        }
    }
}
