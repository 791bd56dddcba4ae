using System.Management.Automation;
using NanoBanana.PowerShell.Infrastructure;
using NanoBanana.Optimization;

namespace NanoBanana.PowerShell.Commands;

/// <summary>Writes an optimised copy of a model folder: quantised linear weights, fused attention, or both (ModelOptimizer).</summary>
[Cmdlet(VerbsCommon.Optimize, "NanoBananaModel", SupportsShouldProcess = true)]
[OutputType(typeof(ModelOptimizationReport))]
public sealed class OptimizeNanoBananaModelCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = "";

    [Parameter]
    [ValidateSet("Int8", "Int4", "Int8Dynamic")]
    public string? Quantize { get; set; }

    [Parameter]
    public int BlockSize { get; set; }

    [Parameter]
    public SwitchParameter FuseAttention { get; set; }

    protected override void ProcessRecord()
    {
        string source = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        string destination = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination);
        bool dynamic = string.Equals(Quantize, "Int8Dynamic", StringComparison.OrdinalIgnoreCase);
        var request = new ModelOptimization(Quantize is null ? null : dynamic ? WeightBits.Int8 : Enum.Parse<WeightBits>(Quantize, ignoreCase: true),
            BlockSize == 0 ? null : BlockSize, FuseAttention, dynamic ? QuantizationScheme.Dynamic : QuantizationScheme.WeightOnly);
        string what = string.Join(" and ", new[] { Quantize, FuseAttention ? "fused-attention" : null }.OfType<string>());
        if (!ShouldProcess(destination, $"Write a {what} copy of '{source}'")) return;
        var record = new ProgressRecord(1, $"Optimize-NanoBananaModel {what}", "Starting");
        try
        {
            WriteObject(ModelOptimizer.Optimize(source, destination, request, new SynchronousProgress<string>(status =>
            {
                record.StatusDescription = status;
                WriteProgress(record);
            })));
        }
        catch (ArgumentException ex)
        {
            WriteError(new ErrorRecord(ex, ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, ex is ArgumentOutOfRangeException ? BlockSize : Path));
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
