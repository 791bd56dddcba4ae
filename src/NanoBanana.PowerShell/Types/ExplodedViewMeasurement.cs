using NanoBanana.Imaging;

namespace NanoBanana;

/// <summary>How well one image keeps its layout's grammar (Measure-ExplodedView): what Pester asserts on.</summary>
public sealed class ExplodedViewMeasurement
{
    internal ExplodedViewMeasurement(string name, string? path, ExplodedViewMetrics metrics)
    {
        Name = name;
        Path = path;
        Parts = metrics.Parts;
        Labels = metrics.Labels;
        PartOverlap = metrics.PartOverlap;
        BackgroundPurity = metrics.BackgroundPurity;
        LabelCollisions = metrics.LabelCollisions;
        LabelsOutside = metrics.LabelsOutside;
        MinimumTextHeight = metrics.MinimumTextHeight;
        MinimumPartGap = metrics.MinimumPartGap;
    }

    public string Name { get; }

    public string? Path { get; }

    /// <summary>Part boxes in the layout.</summary>
    public int Parts { get; }

    /// <summary>Labels drawn (names, callout numbers and legend entries).</summary>
    public int Labels { get; }

    /// <summary>Share of part pixels that lie in another part's box (0 = no overlap).</summary>
    public double PartOverlap { get; }

    /// <summary>Share of background pixels within the tolerance of the background colour (1 = pure).</summary>
    public double BackgroundPurity { get; }

    /// <summary>Label–label overlaps plus labels touching a part.</summary>
    public int LabelCollisions { get; }

    public int LabelsOutside { get; }

    /// <summary>True when every label lies wholly inside the image.</summary>
    public bool LabelsInside => LabelsOutside == 0;

    /// <summary>Smallest label text height in pixels; empty when unlabelled.</summary>
    public double? MinimumTextHeight { get; }

    /// <summary>Smallest distance between two part boxes in pixels; empty with fewer than two parts.</summary>
    public double? MinimumPartGap { get; }

    /// <summary>One line, for hosts that print objects as text.</summary>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{Name}: {Parts} parts, overlap {PartOverlap:P2}, background purity {BackgroundPurity:P2}, {Labels} labels, {LabelCollisions} collisions, " +
        $"labels inside: {LabelsInside}, text {MinimumTextHeight:0.0} px, gap {MinimumPartGap:0.0} px");
}
