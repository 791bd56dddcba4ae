using System.Collections.Specialized;
using System.Management.Automation;
using NanoBanana.Models;
using NanoBanana.PowerShell.Infrastructure;
using NanoBanana.Synthetic;

namespace NanoBanana.PowerShell.Commands;

/// <summary>Writes a synthetic SDXL or SD 1.5 model folder in the diffusers/Optimum ONNX layout, with seeded random weights.</summary>
[Cmdlet(VerbsCommon.New, "SyntheticModel", SupportsShouldProcess = true)]
[OutputType(typeof(SyntheticModelInfo))]
public sealed class NewSyntheticModelCommand : CancellableCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("SDXL", "SD15")]
    public string Architecture { get; set; } = "SDXL";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("Tiny", "Small", "Full")]
    public string Size { get; set; } = "Tiny";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("Float32", "Float16")]
    public string Precision { get; set; } = "Float32";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("Named", "TorchExport")]
    public string LinearStyle { get; set; } = "Named";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("Standard", "StableDiffusion2", "Turbo", "LatentConsistency", "Distilled", "Refiner")]
    public string Variant { get; set; } = "Standard";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int Seed { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        string folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        var options = new SyntheticModelOptions
        {
            Architecture = Architecture.Equals("SD15", StringComparison.OrdinalIgnoreCase) ? DiffusionArchitecture.StableDiffusion15 : DiffusionArchitecture.StableDiffusionXL,
            Size = Enum.Parse<SyntheticModelSize>(Size, ignoreCase: true),
            Precision = Enum.Parse<ModelPrecision>(Precision, ignoreCase: true),
            LinearStyle = Enum.Parse<LinearStyle>(LinearStyle, ignoreCase: true),
            Seed = Seed,
            Variant = Enum.Parse<SyntheticModelVariant>(Variant, ignoreCase: true),
        };

        if (!ShouldProcess(folder, $"Write a synthetic {Architecture} {Size} {Precision} model")) return;
        var record = new ProgressRecord(1, $"New-SyntheticModel {Architecture} {Size}", "Starting");
        var progress = new SynchronousProgress<string>(status =>
        {
            record.StatusDescription = status;
            WriteProgress(record);
        });
        try
        {
            var report = SyntheticModelBuilder.Create(folder, options, Force, progress, Cancellation);
            var parameters = new OrderedDictionary();
            foreach (string component in report.Blocks.Select(b => b.Component).Distinct()) parameters[component] = report.ParametersOf(component);
            long bytes = Directory.EnumerateFiles(report.Folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            WriteObject(new SyntheticModelInfo(report.Folder, Architecture, Size, Precision, LinearStyle, Seed, parameters, report.TotalParameters, bytes, report.Elapsed));
        }
        catch (ArgumentException ex) // a -Variant the -Architecture does not have; nothing is left on disk
        {
            WriteError(new ErrorRecord(ex, ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, Variant));
        }
        catch (IOException ex) when (Directory.Exists(folder))
        {
            WriteError(new ErrorRecord(ex, ErrorIds.OutputExists, ErrorCategory.ResourceExists, Path));
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            WriteError(new ErrorRecord(new IOException($"Cannot write the model folder '{folder}': {ex.Message} Choose a folder you can write to.", ex),
                ErrorIds.OutputNotWritable, ErrorCategory.WriteError, Path));
        }
        finally
        {
            record.RecordType = ProgressRecordType.Completed;
            WriteProgress(record);
        }
    }
}
