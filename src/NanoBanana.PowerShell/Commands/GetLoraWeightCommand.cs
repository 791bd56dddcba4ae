using System.Management.Automation;
using NanoBanana.PowerShell.Infrastructure;

namespace NanoBanana.PowerShell.Commands;

/// <summary>Lists the registered LoRAs and their weights.</summary>
[Cmdlet(VerbsCommon.Get, "LoraWeight")]
[OutputType(typeof(LoraInfo))]
public sealed class GetLoraWeightCommand : PSCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(LoraNameCompleter))]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        var patterns = (Name ?? ["*"]).Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToList();
        foreach (var entry in NanoBananaEngine.Shared.Loras.Entries.Where(e => patterns.Any(p => p.IsMatch(e.Name))))
            WriteObject(LoraViews.ToView(entry));
    }
}
