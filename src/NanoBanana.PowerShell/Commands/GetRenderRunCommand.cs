using System.Management.Automation;
using NanoBanana.PowerShell.Infrastructure;
using NanoBanana.Runs;

namespace NanoBanana.PowerShell.Commands;

/// <summary>
/// Reads a run record (every worker's file) as one run: done / failed / pending rows per shard and each failure with
/// its row and error id. With the catalogue piped in, rows no worker has reached count as pending.
/// </summary>
[Cmdlet(VerbsCommon.Get, "RenderRun")]
[OutputType(typeof(RenderRunInfo))]
public sealed class GetRenderRunCommand : PSCmdlet
{
    private readonly List<PSObject> _rows = new();

    /// <summary>An output directory (its .nanobanana-run folder is read) or a run record folder.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter(ValueFromPipeline = true)]
    public PSObject? Catalogue { get; set; }

    [Parameter]
    public int? ShardCount { get; set; }

    protected override void ProcessRecord()
    {
        if (Catalogue is not null) _rows.Add(Catalogue);
    }

    protected override void EndProcessing()
    {
        string path = this.ToProviderPathOrNull(Path)!;
        string folder = Directory.Exists(RenderRun.DefaultFolder(path)) ? RenderRun.DefaultFolder(path) : System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(folder))
        {
            ThrowTerminatingError(new ErrorRecord(new DirectoryNotFoundException($"No run record at '{folder}': give an output directory New-ExplodedView wrote to, or the -RunRecord folder it was given."),
                ErrorIds.RunRecordUnreadable, ErrorCategory.ObjectNotFound, Path));
            return;
        }
        try
        {
            var summary = RunSummary.Of(RunHistory.Read(folder), _rows.Count > 0 ? CatalogueKeys.Of(_rows) : null, ShardCount);
            WriteObject(new RenderRunInfo(folder, summary, Directory.GetFiles(folder, "*.jsonl").Length));
        }
        catch (RunRecordException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, ErrorIds.RunRecordUnreadable, ErrorCategory.InvalidData, folder));
        }
        catch (CatalogueKeyException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, ErrorIds.CatalogueKeyInvalid, ErrorCategory.InvalidData, null));
        }
        catch (ShardException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, ErrorIds.ShardInvalid, ErrorCategory.InvalidArgument, ShardCount));
        }
    }
}
