using System.Management.Automation;
using NanoBanana.PowerShell.Infrastructure;
using NanoBanana.Runs;

namespace NanoBanana.PowerShell.Commands;

/// <summary>
/// Passes on one worker's share of a catalogue: the rows whose key (Name, Product or SKU) hashes to this shard. A
/// filter rather than parameters on New-ExplodedView because the whole catalogue must be checked (missing and
/// duplicated keys, with both rows named) before any row renders, which a streaming render cannot do, and because
/// any later command can then work on the same share. Rows are kept until the input ends, then passed on in order,
/// each marked with its shard for the run record.
/// </summary>
[Cmdlet(VerbsCommon.Select, "CatalogueShard")]
[OutputType(typeof(PSObject))]
public sealed class SelectCatalogueShardCommand : PSCmdlet
{
    private readonly List<PSObject> _rows = new();

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public PSObject? InputObject { get; set; }

    [Parameter]
    public int? ShardIndex { get; set; }

    [Parameter]
    public int? ShardCount { get; set; }

    protected override void ProcessRecord()
    {
        if (InputObject is not null) _rows.Add(InputObject);
    }

    protected override void EndProcessing()
    {
        Shard shard;
        IReadOnlyList<int> selected;
        try
        {
            shard = (ShardIndex, ShardCount) switch
            {
                (null, null) => ShardEnvironment.Resolve(),
                ({ } index, { } count) => new Shard(index, count),
                _ => throw new ShardException("parameters", "give -ShardIndex and -ShardCount together, or neither to read them from the scheduler's environment."),
            };
            selected = CatalogueShard.Select(CatalogueKeys.Of(_rows), shard);
        }
        catch (ShardException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, ErrorIds.ShardInvalid, ErrorCategory.InvalidArgument, null));
            return;
        }
        catch (CatalogueKeyException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, ErrorIds.CatalogueKeyInvalid, ErrorCategory.InvalidData, null));
            return;
        }
        WriteVerbose($"Shard {shard} (from {shard.Source}): {selected.Count} of {_rows.Count} row(s).");
        foreach (int i in selected)
        {
            var row = _rows[i];
            row.Properties.Remove(RowRecorder.ShardProperty);
            row.Properties.Add(new PSNoteProperty(RowRecorder.ShardProperty, shard.ToString()));
            WriteObject(row);
        }
    }
}
