using System.Management.Automation;
using NanoBanana.Imaging;
using NanoBanana.PowerShell.Infrastructure;

namespace NanoBanana.PowerShell.Commands;

/// <summary>Draws each part's name (and optionally its count and attributes) with leader lines, from the layout
/// the image carries; meant after Invoke-Upscale | Optimize-Sharpness, so text is drawn at the final resolution.</summary>
[Cmdlet(VerbsCommon.Add, "PartLabel", SupportsShouldProcess = true, DefaultParameterSetName = InputObjectSet)]
[OutputType(typeof(RenderedImage))]
public sealed class AddPartLabelCommand : ImageCmdletBase
{
    [Parameter]
    public SwitchParameter ShowCount { get; set; }

    [Parameter]
    public SwitchParameter ShowAttributes { get; set; }

    protected override string ActionName => "labelled image";

    protected override RgbaImage Process(RgbaImage image) =>
        PartLabeling.Apply(image, new LabelOptions { ShowCount = ShowCount, ShowAttributes = ShowAttributes });
}
