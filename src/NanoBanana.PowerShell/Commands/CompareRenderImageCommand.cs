using System.Management.Automation;
using NanoBanana.Imaging;
using NanoBanana.PowerShell.Infrastructure;

namespace NanoBanana.PowerShell.Commands;

/// <summary>Compares images with a reference: SSIM, PSNR, largest difference and share of differing pixels.</summary>
[Cmdlet(VerbsData.Compare, "RenderImage", SupportsShouldProcess = true, DefaultParameterSetName = InputObjectSet)]
[OutputType(typeof(RenderComparison))]
public sealed class CompareRenderImageCommand : PSCmdlet
{
    private const string PathSet = "Path";
    private const string InputObjectSet = "InputObject";

    private RgbaImage? _reference;
    private string _referencePath = "";

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string ReferencePath { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath")]
    [ValidateNotNullOrEmpty]
    public string[] DifferencePath { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
    public RenderedImage? InputObject { get; set; }

    /// <summary>Where to write a picture of the differences (faded reference, differing pixels in red), for one compared image.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DiffImagePath { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void BeginProcessing()
    {
        _referencePath = SessionState.Path.GetUnresolvedProviderPathFromPSPath(ReferencePath);
        try
        {
            _reference = ImageCodec.Read(_referencePath);
        }
        catch (Exception ex) when (ImageErrors.TryCreate(ex, ReferencePath, out var record))
        {
            // Without the reference nothing can be compared: stop here.
            ThrowTerminatingError(record);
        }
    }

    protected override void ProcessRecord()
    {
        var sources = ParameterSetName == InputObjectSet
            ? ImageSources.FromInputObject(InputObject)
            : ImageSources.FromPaths(this, DifferencePath);
        foreach (var source in sources)
        {
            try
            {
                var image = ImageSources.Load(source);
                var result = ImageComparison.Compare(_reference!, image.Image);
                string? diffPath = WriteDiffImage(image);
                WriteObject(new RenderComparison(_referencePath, image.Path ?? image.Name, result.Width, result.Height,
                    result.Ssim, result.Psnr, result.MaxDifference, result.DifferentPixelFraction, diffPath));
            }
            catch (Exception ex) when (ImageErrors.TryCreate(ex, source.Target, out var record))
            {
                WriteError(record);
            }
        }
    }

    private string? WriteDiffImage(RenderedImage image)
    {
        if (DiffImagePath is null) return null;
        string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(DiffImagePath);
        if (!ShouldProcess(path, "Write difference image")) return null;
        ImageCodec.WritePng(ImageComparison.CreateDiffImage(_reference!, image.Image), path, overwrite: Force);
        return path;
    }
}
