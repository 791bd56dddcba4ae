using System.Management.Automation;
using NanoBanana.Catalogue;
using NanoBanana.Layout;
using NanoBanana.PowerShell.Infrastructure;

namespace NanoBanana.PowerShell.Commands;

/// <summary>
/// Plans where each part of a product goes, without rendering: the same layout New-ExplodedView renders from,
/// for scripts and previews. Binds catalogue rows by property name like New-ExplodedView; a bad row is a
/// non-terminating error naming the row, the field and the fix.
/// </summary>
[Cmdlet(VerbsCommon.New, "PartLayout")]
[OutputType(typeof(PartLayout))]
public sealed class NewPartLayoutCommand : CatalogueRowCmdlet
{
    private int _rows;

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [AllowNull, AllowEmptyString]
    public string? Parts { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull, AllowEmptyString]
    public string? Width { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull, AllowEmptyString]
    public string? Height { get; set; }

    protected override void ProcessRecord()
    {
        _rows++;
        var row = new RenderRow { Index = _rows, Name = Name, Parts = Parts, Style = Style, Layout = Layout, LayoutAxis = LayoutAxis, Width = Width, Height = Height };
        try
        {
            if (row.ToLayout() is { } layout) WriteObject(layout);
            else WriteVerbose($"Row {row.Label}: layout None (no structured parts and no -Layout), nothing to plan.");
        }
        catch (Exception ex) when (RenderErrors.TryCreate(ex, (object?)InputObject ?? row, out var record))
        {
            WriteError(record);
        }
    }
}
