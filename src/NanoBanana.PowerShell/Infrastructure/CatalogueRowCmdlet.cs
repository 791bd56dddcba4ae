using System.Management.Automation;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>
/// A cmdlet that reads catalogue rows: the parameters it shares with every other row reader (the piped row itself,
/// its name, style and layout), declared once so New-ExplodedView and New-PartLayout bind a CSV column alike.
/// </summary>
public abstract class CatalogueRowCmdlet : CancellableCmdlet
{
    /// <summary>The piped row itself, so errors can carry it as their target; its properties bind to the other parameters.</summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Product", "SKU")]
    [AllowNull, AllowEmptyString]
    public string? Name { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(StylePresetCompleter))]
    [AllowNull, AllowEmptyString]
    public string? Style { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("Knolling", "Exploded", "Grid", "None", IgnoreCase = true)]
    [AllowNull, AllowEmptyString]
    public string? Layout { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("Vertical", "Diagonal", IgnoreCase = true)]
    [AllowNull, AllowEmptyString]
    public string? LayoutAxis { get; set; }
}
