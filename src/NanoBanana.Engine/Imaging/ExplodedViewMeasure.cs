using NanoBanana.Layout;

namespace NanoBanana.Imaging;

/// <summary>How well an image keeps the grammar of its layout (see <see cref="ExplodedViewMeasure"/>).</summary>
/// <param name="PartOverlap">Share of part pixels (foreground within a part's reach) that lie in another part's box.</param>
/// <param name="BackgroundPurity">Share of background pixels (beyond every part's reach, off the labels) within the tolerance of the background colour.</param>
/// <param name="LabelCollisions">Label–label pairs that overlap plus label–part pairs that touch (a label inside a part's reach).</param>
/// <param name="LabelsOutside">Labels not wholly inside the image.</param>
/// <param name="MinimumTextHeight">The smallest label text height in pixels; null without labels.</param>
/// <param name="MinimumPartGap">The smallest distance between two part boxes in pixels; null with fewer than two.</param>
public sealed record ExplodedViewMetrics(int Parts, int Labels, double PartOverlap, double BackgroundPurity, int LabelCollisions,
    int LabelsOutside, double? MinimumTextHeight, double? MinimumPartGap)
{
    public bool LabelsInside => LabelsOutside == 0;
}

/// <summary>
/// Measures an image against the layout it carries. Foreground is any pixel farther than the tolerance from
/// the background colour in some channel (or with alpha above the tolerance on a transparent sheet). Parts reach
/// half a gap beyond their boxes (<see cref="BackgroundCleaning.Reach"/>); labels and their leader lines (with a
/// pixel of anti-aliasing around them) are neither part nor background.
/// </summary>
public static class ExplodedViewMeasure
{
    /// <summary>Default tolerance, in 8-bit levels: absorbs the upscaler's and sharpener's ringing on a white field.</summary>
    public const int DefaultTolerance = 8;

    /// <exception cref="LayoutMissingException">The image carries no layout.</exception>
    public static ExplodedViewMetrics Measure(RgbaImage image, SheetBackground? background = null, int tolerance = DefaultTolerance)
    {
        ArgumentNullException.ThrowIfNull(image);
        var layout = image.Parameters.Layout ?? throw new LayoutMissingException();
        if (tolerance is < 0 or > 255) throw new ArgumentOutOfRangeException(nameof(tolerance), $"Tolerance is {tolerance}; use 0 to 255 levels.");
        var sheet = background ?? (layout.Background is { } stored ? SheetBackground.FromStored(stored) : SheetBackground.White);
        int width = image.Width, height = image.Height;
        double reach = BackgroundCleaning.Reach(layout);

        // owner[i]: the part whose reach holds pixel i (-1 none); labels[i]: covered by a label or leader line.
        var owner = new int[width * height];
        Array.Fill(owner, -1);
        for (int p = 0; p < layout.Parts.Count; p++)
            Fill(layout.Parts[p].Box, reach, width, height, (start, end) => { for (int i = start; i < end; i++) if (owner[i] == -1) owner[i] = p; });
        var labelled = new bool[width * height];
        foreach (var label in layout.Labels)
        {
            Fill(label.Box, 1.5, width, height, (start, end) => labelled.AsSpan(start, end - start).Fill(true));
            if (label.LeaderFrom is { } from && label.LeaderTo is { } to) FillSegment(from, to, Math.Max(1.5, label.TextHeight / 12) + 1.5, width, height, labelled);
        }

        var pixels = image.Pixels;
        long partPixels = 0, backgroundPixels = 0, pureBackground = 0;
        var foreground = new bool[width * height];
        for (int i = 0; i < owner.Length; i++)
        {
            int o = i * 4;
            foreground[i] = sheet.Transparent
                ? pixels[o + 3] > tolerance
                : Math.Abs(pixels[o] - sheet.R) > tolerance || Math.Abs(pixels[o + 1] - sheet.G) > tolerance || Math.Abs(pixels[o + 2] - sheet.B) > tolerance;
            if (owner[i] >= 0) { if (foreground[i]) partPixels++; }
            else if (!labelled[i]) { backgroundPixels++; if (!foreground[i]) pureBackground++; }
        }
        // A part pixel inside another part's box: possible only where boxes (and so reaches) overlap.
        long overlapping = 0;
        var counted = new bool[width * height];
        for (int p = 0; p < layout.Parts.Count; p++)
            Fill(layout.Parts[p].Box, 0, width, height, (start, end) =>
            {
                for (int i = start; i < end; i++)
                    if (foreground[i] && owner[i] >= 0 && owner[i] != p && !counted[i]) { counted[i] = true; overlapping++; }
            });

        int collisions = 0;
        for (int a = 0; a < layout.Labels.Count; a++)
        {
            var box = layout.Labels[a].Box;
            for (int b = a + 1; b < layout.Labels.Count; b++) if (box.Intersects(layout.Labels[b].Box)) collisions++;
            collisions += layout.Parts.Count(part => box.Intersects(part.Box.Inflated(reach)));
        }
        var canvas = new LayoutBox(0, 0, width, height);
        return new ExplodedViewMetrics(
            layout.Parts.Count, layout.Labels.Count,
            partPixels == 0 ? 0 : (double)overlapping / partPixels,
            backgroundPixels == 0 ? 1 : (double)pureBackground / backgroundPixels,
            collisions,
            layout.Labels.Count(l => !canvas.Contains(l.Box)),
            layout.Labels.Count == 0 ? null : layout.Labels.Min(l => l.TextHeight),
            layout.Parts.Count < 2 ? null : layout.MinimumPartGap());
    }

    // Calls visit(start, end) for each row's run of pixels whose centres lie within `by` of the box (end exclusive).
    static void Fill(LayoutBox box, double by, int width, int height, Action<int, int> visit)
    {
        int y0 = Math.Max(0, (int)Math.Floor(box.Y - by)), y1 = Math.Min(height, (int)Math.Ceiling(box.Bottom + by));
        for (int y = y0; y < y1; y++)
        {
            double cy = y + 0.5, dy = Math.Max(0, Math.Max(box.Y - cy, cy - box.Bottom));
            if (dy > by) continue;
            double half = Math.Sqrt(by * by - dy * dy);
            int x0 = Math.Max(0, (int)Math.Ceiling(box.X - half - 0.5)), x1 = Math.Min(width - 1, (int)Math.Floor(box.Right + half - 0.5));
            if (x1 >= x0) visit(y * width + x0, y * width + x1 + 1);
        }
    }

    static void FillSegment(LayoutPoint a, LayoutPoint b, double radius, int width, int height, bool[] mask)
    {
        int x0 = Math.Max(0, (int)Math.Floor(Math.Min(a.X, b.X) - radius)), x1 = Math.Min(width, (int)Math.Ceiling(Math.Max(a.X, b.X) + radius));
        int y0 = Math.Max(0, (int)Math.Floor(Math.Min(a.Y, b.Y) - radius)), y1 = Math.Min(height, (int)Math.Ceiling(Math.Max(a.Y, b.Y) + radius));
        double dx = b.X - a.X, dy = b.Y - a.Y, length2 = dx * dx + dy * dy;
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
            {
                double px = x + 0.5 - a.X, py = y + 0.5 - a.Y;
                double t = length2 == 0 ? 0 : Math.Clamp((px * dx + py * dy) / length2, 0, 1);
                double ex = px - t * dx, ey = py - t * dy;
                if (ex * ex + ey * ey <= radius * radius) mask[y * width + x] = true;
            }
    }
}

/// <summary>An image without a part layout given to a layout operation (labelling, measuring).</summary>
public sealed class LayoutMissingException()
    : InvalidOperationException("The image carries no part layout. Render it with New-ExplodedView -Layout Knolling|Exploded|Grid " +
        "(or a Style with Parts), keep it as a PNG written by this module, and pass that; a layout cannot be recovered from pixels.");
