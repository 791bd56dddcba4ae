using System.Management.Automation;
using NanoBanana.Imaging;
using NanoBanana.PowerShell.Infrastructure;

namespace NanoBanana.PowerShell.Commands;

/// <summary>Sharpens images exactly as Pillow's <c>ImageEnhance.Sharpness(img).enhance(factor)</c>.</summary>
[Cmdlet(VerbsCommon.Optimize, "Sharpness", SupportsShouldProcess = true, DefaultParameterSetName = InputObjectSet)]
[OutputType(typeof(RenderedImage))]
public sealed class OptimizeSharpnessCommand : ImageCmdletBase
{
    /// <summary>0 gives the smoothed image, 1 the original, above 1 sharpens. Negative values are rejected per image by the engine.</summary>
    [Parameter]
    public double Factor { get; set; } = 2.0;

    protected override string ActionName => "sharpened image";

    protected override RgbaImage Process(RgbaImage image) => PillowSharpness.Apply(image, Factor);
}
