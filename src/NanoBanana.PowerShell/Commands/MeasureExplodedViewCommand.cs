using System.Management.Automation;
using NanoBanana.Imaging;
using NanoBanana.PowerShell.Infrastructure;

namespace NanoBanana.PowerShell.Commands;

/// <summary>Measures each image against the part layout it carries: part overlap, background purity, label
/// collisions, labels inside, minimum text height and part gap — one object per image, for Pester.</summary>
[Cmdlet(VerbsDiagnostic.Measure, "ExplodedView", DefaultParameterSetName = InputObjectSet)]
[OutputType(typeof(ExplodedViewMeasurement))]
public sealed class MeasureExplodedViewCommand : ImageInputCmdlet
{
    /// <summary>How far (in 8-bit levels, per channel) a pixel may be from the background colour and still count as background.</summary>
    [Parameter]
    [ValidateRange(0, 255)]
    public int Tolerance { get; set; } = ExplodedViewMeasure.DefaultTolerance;

    /// <summary>The background colour to measure against; by default the one the layout records (white if none).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Background { get; set; }

    protected override void ProcessImage(RenderedImage image)
    {
        var metrics = ExplodedViewMeasure.Measure(image.Image, Background is null ? null : SheetBackground.Parse(Background), Tolerance);
        WriteObject(new ExplodedViewMeasurement(image.Name, image.Path, metrics));
    }
}
