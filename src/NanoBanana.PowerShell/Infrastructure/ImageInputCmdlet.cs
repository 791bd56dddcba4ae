using System.Management.Automation;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>
/// Input shape shared by the image cmdlets: NanoBanana results from the pipeline, FileInfo objects (through
/// their PSPath), or path strings (-Path with wildcards, -LiteralPath) on any drive or relative to the
/// current location. Each image is handled on its own: a bad one becomes a non-terminating error with a
/// stable id and the item as target, and the others go on.
/// Cmdlets declare <see cref="InputObjectSet"/> as their default parameter set: with -Path as default,
/// PowerShell would coerce a piped result to a string (its ToString) before trying -InputObject.
/// </summary>
public abstract class ImageInputCmdlet : CancellableCmdlet
{
    protected const string PathSet = "Path";
    protected const string LiteralPathSet = "LiteralPath";
    protected const string InputObjectSet = "InputObject";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
    public RenderedImage? InputObject { get; set; }

    /// <summary>The cmdlet's work on one image, loaded from wherever it came.</summary>
    protected abstract void ProcessImage(RenderedImage image);

    /// <summary>One input: decoded, then <see cref="ProcessImage"/>. A cmdlet that needs no pixels reads less.</summary>
    private protected virtual void ProcessSource(ImageSource source) => ProcessImage(ImageSources.Load(source));

    protected override void ProcessRecord()
    {
        var sources = ParameterSetName switch
        {
            InputObjectSet => ImageSources.FromInputObject(InputObject),
            LiteralPathSet => ImageSources.FromLiteralPaths(this, LiteralPath),
            _ => ImageSources.FromPaths(this, Path),
        };
        foreach (var source in sources)
        {
            try
            {
                ProcessSource(source);
            }
            catch (Exception ex) when (ImageErrors.TryCreate(ex, source.Target, out var record))
            {
                WriteError(record);
            }
        }
    }
}
