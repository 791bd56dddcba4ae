using System.Management.Automation;
using NanoBanana.Lora;
using NanoBanana.PowerShell.Infrastructure;

namespace NanoBanana.PowerShell.Commands;

/// <summary>Writes a random LoRA whose keys are a model's real module names, and optionally an offline merged reference.</summary>
[Cmdlet(VerbsCommon.New, "SyntheticLora", SupportsShouldProcess = true)]
[OutputType(typeof(SyntheticLoraInfo))]
public sealed class NewSyntheticLoraCommand : PSCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string ModelPath { get; set; } = "";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 1024)]
    public int Rank { get; set; } = 4;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("Kohya", "Peft")]
    public string KeyFormat { get; set; } = "Kohya";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int Seed { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("Unet", "TextEncoder", "TextEncoder2")]
    public string Component { get; set; } = "Unet";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? MergedModelPath { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(-10.0, 10.0)]
    public double MergeWeight { get; set; } = 0.8;

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        string model = SessionState.Path.GetUnresolvedProviderPathFromPSPath(ModelPath);
        string file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        string? merged = MergedModelPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(MergedModelPath);
        if (!ShouldProcess(file, $"Write a rank-{Rank} {KeyFormat} LoRA for {model}")) return;
        try
        {
            var result = SyntheticLora.CreateWithReference(model, file, Rank, Enum.Parse<LoraKeyFormat>(KeyFormat, ignoreCase: true), Seed,
                Enum.Parse<LoraComponent>(Component, ignoreCase: true), merged, MergeWeight, Force);
            WriteObject(new SyntheticLoraInfo(result.Path, KeyFormat, Rank, result.ModuleCount, result.MergedModelPath));
        }
        catch (Exception ex) when (RenderErrors.TryCreate(ex, ModelPath, out var record))
        {
            WriteError(record);
        }
    }
}
