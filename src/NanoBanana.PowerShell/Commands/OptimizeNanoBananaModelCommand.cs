using System.Management.Automation;
using NanoBanana.PowerShell.Infrastructure;
using NanoBanana.Quantization;

namespace NanoBanana.PowerShell.Commands;

/// <summary>Writes a copy of a model folder with weight-only quantised UNet and text-encoder linear layers (ModelQuantizer).</summary>
[Cmdlet(VerbsCommon.Optimize, "NanoBananaModel", SupportsShouldProcess = true)]
[OutputType(typeof(QuantizationReport))]
public sealed class OptimizeNanoBananaModelCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = "";

    [Parameter(Mandatory = true)]
    [ValidateSet("Int8", "Int4")]
    public string Quantize { get; set; } = "Int8";

    [Parameter]
    public int BlockSize { get; set; }

    protected override void ProcessRecord()
    {
        string source = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        string destination = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination);
        var bits = Enum.Parse<WeightBits>(Quantize, ignoreCase: true);
        if (!ShouldProcess(destination, $"Write a {Quantize} copy of '{source}'")) return;
        var record = new ProgressRecord(1, $"Optimize-NanoBananaModel {Quantize}", "Starting");
        try
        {
            WriteObject(ModelQuantizer.Quantize(source, destination, bits, BlockSize == 0 ? null : BlockSize, new SynchronousProgress<string>(status =>
            {
                record.StatusDescription = status;
                WriteProgress(record);
            })));
        }
        catch (ArgumentOutOfRangeException ex)
        {
            WriteError(new ErrorRecord(ex, ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, BlockSize));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            WriteError(new ErrorRecord(ex, ErrorIds.ModelNotFound, ErrorCategory.ObjectNotFound, Path));
        }
        catch (Exception ex) when (ex is InvalidDataException or NotSupportedException)
        {
            WriteError(new ErrorRecord(ex, ErrorIds.ModelInvalid, ErrorCategory.InvalidData, Path));
        }
        catch (IOException ex) when (Directory.Exists(destination) || File.Exists(destination))
        {
            WriteError(new ErrorRecord(ex, ErrorIds.OutputExists, ErrorCategory.ResourceExists, Destination));
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            WriteError(new ErrorRecord(new IOException($"Cannot write '{destination}': {ex.Message} Choose a folder you can write to.", ex),
                ErrorIds.OutputNotWritable, ErrorCategory.WriteError, Destination));
        }
        finally
        {
            record.RecordType = ProgressRecordType.Completed;
            WriteProgress(record);
        }
    }
}
