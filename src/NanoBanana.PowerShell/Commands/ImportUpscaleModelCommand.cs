using System.Management.Automation;
using NanoBanana.Imaging.Upscaling;
using NanoBanana.PowerShell.Infrastructure;

namespace NanoBanana.PowerShell.Commands;

/// <summary>Converts a Real-ESRGAN ncnn model (.param + .bin) into the module's model store for Invoke-Upscale.</summary>
[Cmdlet(VerbsData.Import, "UpscaleModel", SupportsShouldProcess = true)]
[OutputType(typeof(UpscaleModelInfo))]
public sealed class ImportUpscaleModelCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string ParamPath { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string BinPath { get; set; } = "";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            string param = SessionState.Path.GetUnresolvedProviderPathFromPSPath(ParamPath);
            string bin = SessionState.Path.GetUnresolvedProviderPathFromPSPath(BinPath);
            string name = Name ?? Path.GetFileNameWithoutExtension(param);
            var store = NanoBananaEngine.Shared.Upscalers;
            if (!ShouldProcess(Path.Combine(store.ImportDirectory, name + ".onnx"), "Import upscaling model")) return;
            var (path, field) = store.Import(param, bin, name, Force);
            WriteObject(new UpscaleModelInfo(name, path, field.Scale, field.Radius));
        }
        catch (Exception ex) when (ex is NcnnFormatException or InvalidDataException)
        {
            WriteError(new ErrorRecord(ex, ErrorIds.ModelInvalid, ErrorCategory.InvalidData, ParamPath));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            WriteError(new ErrorRecord(ex, ErrorIds.ModelNotFound, ErrorCategory.ObjectNotFound, ParamPath));
        }
        catch (Exception ex) when (ImageErrors.TryCreate(ex, ParamPath, out var record))
        {
            WriteError(record);
        }
    }
}
