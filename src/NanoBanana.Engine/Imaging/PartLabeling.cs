using NanoBanana.Layout;
using SkiaSharp;

namespace NanoBanana.Imaging;

/// <summary>What a part's label says besides its name.</summary>
public sealed record LabelOptions
{
    /// <summary>Prefix the count ("4 × propeller") when a part has several copies. A box that stands for many
    /// copies always shows its count.</summary>
    public bool ShowCount { get; init; }

    /// <summary>Follow the name with its descriptive attributes ("propeller (carbon fibre)").</summary>
    public bool ShowAttributes { get; init; }
}

/// <summary>
/// Draws part labels at the image's final resolution, from the layout the image carries: each part's name with a
/// thin leader line to its anchor, placed outside every part (beyond the cleaned reach), off every other label and
/// inside the image. A name that finds no such place becomes a numbered callout, and a legend lists the numbers
/// (in the band the planner reserved for it, else in a free corner). Text is anti-aliased DejaVu Sans shipped in the module, its
/// height <see cref="PartLayout.TextFraction"/> of the short side; legend entries wider than the sheet end in "…".
/// A sheet whose background was cleaned at render time is cleaned again first, at this final resolution.
/// </summary>
public static class PartLabeling
{
    static readonly Lazy<SKTypeface> Font = new(LoadFont);

    /// <summary>The shipped font file: Fonts/DejaVuSans.ttf beside the engine.</summary>
    public static string FontPath => Path.Combine(Path.GetDirectoryName(typeof(PartLabeling).Assembly.Location)!, "Fonts", "DejaVuSans.ttf");

    static SKTypeface LoadFont() =>
        File.Exists(FontPath) && SKTypeface.FromFile(FontPath) is { } typeface
            ? typeface
            : throw new FileNotFoundException($"The label font '{FontPath}' is missing or unreadable; the module is incomplete. Rebuild it (the build fetches the font with npm).", FontPath);

    /// <summary>A new image with the labels drawn and recorded in its layout.</summary>
    /// <exception cref="LayoutMissingException">The image carries no layout.</exception>
    /// <exception cref="InvalidOperationException">The image is already labelled, or the labels fit nowhere.</exception>
    public static RgbaImage Apply(RgbaImage image, LabelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        options ??= new LabelOptions();
        var layout = image.Parameters.Layout ?? throw new LayoutMissingException();
        if (layout.Labels.Count > 0)
            throw new InvalidOperationException($"The image is already labelled ({layout.Labels.Count} labels); label the unlabelled image, once, after resizing and sharpening.");
        var sheet = layout.Background is { } stored ? SheetBackground.FromStored(stored) : SheetBackground.White;
        // A cleaned sheet is cleaned again at this resolution: upscalers and sharpeners ring a few pixels into the background.
        if (layout.Background is not null) image = BackgroundCleaning.Apply(image, layout, sheet);
        using var font = new SKFont(Font.Value, (float)layout.TextHeight) { Edging = SKFontEdging.Antialias, Subpixel = true };
        var labels = Place(layout, font, options);

        var labelled = image.Parameters.Clone();
        labelled.Layout = layout with { Labels = labels };
        return new RgbaImage(image.Width, image.Height, Draw(image, labels, font, sheet), image.HasAlpha, labelled);
    }

    sealed class Placer(PartLayout layout, SKFont font)
    {
        public readonly double Pad = layout.TextHeight * 0.25;
        readonly double _reach = BackgroundCleaning.Reach(layout) + 1;
        readonly LayoutBox _canvas = new(1, 1, layout.Width - 2, layout.Height - 2);
        public readonly List<LayoutBox> Taken = new();

        public double BoxHeight => font.Metrics.Descent - font.Metrics.Ascent + 2 * Pad;

        public double Width(string text) => font.MeasureText(text) + 2 * Pad;

        public bool Free(LayoutBox box) =>
            _canvas.Contains(box) && !layout.Parts.Any(p => p.Box.Inflated(_reach).Intersects(box)) && !Taken.Any(t => t.Inflated(2).Intersects(box));

        /// <summary>A spot for a w × h label in the room the planner left beside one of the part's copies.</summary>
        public (LayoutBox Box, PlacedPart Copy)? InArea(IReadOnlyList<PlacedPart> copies, double w, double h)
        {
            foreach (var copy in copies)
            {
                var area = copy.LabelArea;
                if (w > area.Width) continue;
                double x = layout.Kind == LayoutKind.Exploded ? area.X : area.Center.X - w / 2;
                var box = new LayoutBox(x, area.Center.Y - h / 2, w, h);
                if (Free(box)) return (box, copy);
            }
            return null;
        }

        /// <summary>A spot in rings around the part's copies, clear of the rooms other parts still need.</summary>
        public (LayoutBox Box, PlacedPart Copy)? Around(IReadOnlyList<PlacedPart> copies, double w, double h, IReadOnlyList<LayoutBox> reserved)
        {
            for (int ring = 0; ring < 6; ring++)
                foreach (var copy in copies)
                {
                    var b = copy.Box;
                    double d = _reach + 2 + ring * h;
                    foreach (var box in new[]
                    {
                        new LayoutBox(b.Right + d, b.Center.Y - h / 2, w, h), new LayoutBox(b.X - d - w, b.Center.Y - h / 2, w, h),
                        new LayoutBox(b.Center.X - w / 2, b.Bottom + d, w, h), new LayoutBox(b.Center.X - w / 2, b.Y - d - h, w, h),
                    })
                        if (Free(box) && !reserved.Any(r => r.Intersects(box))) return (box, copy);
                }
            return null;
        }
    }

    static List<PartLabel> Place(PartLayout layout, SKFont font, LabelOptions options)
    {
        var placer = new Placer(layout, font);
        double h = placer.BoxHeight;
        var parts = layout.Parts.GroupBy(p => p.Part).Select(g => g.ToList()).ToList();
        var texts = parts.Select(copies => Text(copies[0], options)).ToList();
        var labels = new PartLabel?[parts.Count];
        // The rooms of parts still without a label, and the legend's, which labels placed around other parts must leave free.
        IReadOnlyList<LayoutBox> Reserved(int except) =>
            parts.Where((_, i) => i != except && labels[i] is null).SelectMany(c => c.Select(p => p.LabelArea))
                .Concat(layout.LegendArea is { } legendArea ? [legendArea] : []).ToList();
        void Take(int i, (LayoutBox Box, PlacedPart Copy) spot, string text, bool callout)
        {
            placer.Taken.Add(spot.Box);
            labels[i] = Leadered(parts[i][0].Part, text, spot.Box, spot.Copy, layout.TextHeight, callout);
        }

        // Names: first in the rooms the planner left, then around the parts.
        for (int i = 0; i < parts.Count; i++)
            if (placer.InArea(parts[i], placer.Width(texts[i]), h) is { } spot) Take(i, spot, texts[i], callout: false);
        for (int i = 0; i < parts.Count; i++)
            if (labels[i] is null && placer.Around(parts[i], placer.Width(texts[i]), h, Reserved(i)) is { } spot) Take(i, spot, texts[i], callout: false);

        // Numbered callouts for the rest, numbered in parts-list order, and their legend.
        var unplaced = Enumerable.Range(0, parts.Count).Where(i => labels[i] is null).ToList();
        var legend = new List<string>();
        foreach (int i in unplaced)
        {
            string number = (legend.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            double w = placer.Width(number);
            var spot = placer.InArea(parts[i], w, h) ?? placer.Around(parts[i], w, h, Reserved(i))
                ?? throw new InvalidOperationException($"The label of '{parts[i][0].Name}' fits nowhere beside its part, not even as a callout number. Fix: a larger image (text is 1/48 of the short side), or fewer parts.");
            Take(i, spot, number, callout: true);
            legend.Add($"{number}  {texts[i]}");
        }
        var result = labels.Where(l => l is not null).Select(l => l!).ToList();
        if (legend.Count > 0) result.AddRange(Legend(layout, placer, legend, unplaced.Select(i => parts[i]).ToList()));
        return result;
    }

    static string Text(PlacedPart part, LabelOptions options)
    {
        string text = options.ShowCount && part.Count > 1 || part.Instance == 0 ? $"{part.Count} × {part.Name}" : part.Name;
        return options.ShowAttributes && part.Attributes.Count > 0 ? $"{text} ({string.Join(", ", part.Attributes.Select(a => a.Value))})" : text;
    }

    static PartLabel Leadered(int part, string text, LayoutBox box, PlacedPart copy, double textHeight, bool callout)
    {
        var anchor = copy.Anchor;
        var from = new LayoutPoint(Math.Clamp(anchor.X, box.X, box.Right), Math.Clamp(anchor.Y, box.Y, box.Bottom));
        return new PartLabel(part, text, box, textHeight, from, anchor, callout);
    }

    // The legend: in the planner's reserved area when there is one, else in the first free corner; entries in columns.
    static IEnumerable<PartLabel> Legend(PartLayout layout, Placer placer, List<string> entries, List<List<PlacedPart>> parts)
    {
        double h = placer.BoxHeight, line = Math.Max(LayoutPlanner.LegendLineHeight(layout.TextHeight), h + 2);
        double margin = Math.Min(layout.Width, layout.Height) / 24.0, available = layout.Width - 2 * margin;
        var texts = entries.Select(e => Fit(e, available, placer)).ToList();
        double column = texts.Max(placer.Width);
        int columns = Math.Max(1, (int)((available + layout.Gap) / (column + layout.Gap)));
        int rows = (texts.Count + columns - 1) / columns;
        double legendW = columns * column + (columns - 1) * layout.Gap, legendH = (rows - 1) * line + h;
        var corners = new[] { new LayoutPoint(margin, layout.Height - margin - legendH), new LayoutPoint(layout.Width - margin - legendW, layout.Height - margin - legendH),
                              new LayoutPoint(margin, margin), new LayoutPoint(layout.Width - margin - legendW, margin) };
        var origins = layout.LegendArea is { } area ? corners.Prepend(new LayoutPoint(area.X, area.Bottom - legendH)) : corners;
        foreach (var origin in origins)
        {
            var boxes = texts.Select((t, i) => new LayoutBox(origin.X + i / rows * (column + layout.Gap), origin.Y + i % rows * line, placer.Width(t), h)).ToList();
            if (boxes.All(placer.Free))
                return boxes.Select((b, i) => new PartLabel(parts[i][0].Part, texts[i], b, layout.TextHeight, null, null, IsCallout: false));
        }
        throw new InvalidOperationException($"The legend of {texts.Count} callouts ({rows} rows of {columns}) fits in no free corner of the {layout.Width}x{layout.Height} image. Fix: a larger image or fewer parts.");
    }

    // Labels longer than the sheet end in an ellipsis rather than leave it.
    static string Fit(string text, double width, Placer placer)
    {
        if (placer.Width(text) <= width) return text;
        int keep = text.Length;
        while (keep > 1 && placer.Width(text[..keep] + "…") > width) keep--;
        return text[..keep].TrimEnd() + "…";
    }

    static byte[] Draw(RgbaImage image, List<PartLabel> labels, SKFont font, SheetBackground sheet)
    {
        // Dark ink on a light sheet, white ink on a dark one.
        bool dark = 0.299 * sheet.R + 0.587 * sheet.G + 0.114 * sheet.B < 128;
        var ink = dark ? new SKColor(245, 245, 245) : new SKColor(32, 32, 32);
        var pixels = (byte[])image.Pixels.Clone();
        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, image.HasAlpha ? SKAlphaType.Premul : SKAlphaType.Opaque);
        if (image.HasAlpha) Premultiply(pixels, toPremultiplied: true);
        unsafe
        {
            fixed (byte* p = pixels)
            {
                using var bitmap = new SKBitmap();
                bitmap.InstallPixels(info, (IntPtr)p, image.Stride);
                using var canvas = new SKCanvas(bitmap);
                float stroke = Math.Max(1f, font.Size / 14f);
                using var line = new SKPaint { Color = ink, IsAntialias = true, StrokeWidth = stroke, Style = SKPaintStyle.Stroke };
                using var fill = new SKPaint { Color = ink, IsAntialias = true, Style = SKPaintStyle.Fill };
                foreach (var label in labels)
                {
                    if (label.LeaderFrom is { } from && label.LeaderTo is { } to)
                    {
                        canvas.DrawLine((float)from.X, (float)from.Y, (float)to.X, (float)to.Y, line);
                        canvas.DrawCircle((float)to.X, (float)to.Y, 1.5f * stroke, fill);
                    }
                    if (label.IsCallout) canvas.DrawRect(ToRect(label.Box), line);
                    float pad = (float)(label.TextHeight * 0.25);
                    canvas.DrawText(label.Text, (float)label.Box.X + pad, (float)label.Box.Y + pad - font.Metrics.Ascent, SKTextAlign.Left, font, fill);
                }
                canvas.Flush();
            }
        }
        if (image.HasAlpha) Premultiply(pixels, toPremultiplied: false);
        return pixels;
    }

    static SKRect ToRect(LayoutBox box) => new((float)box.X, (float)box.Y, (float)box.Right, (float)box.Bottom);

    static void Premultiply(byte[] rgba, bool toPremultiplied)
    {
        for (int i = 0; i < rgba.Length; i += 4)
        {
            int a = rgba[i + 3];
            if (a == 255) continue;
            for (int c = 0; c < 3; c++)
                rgba[i + c] = toPremultiplied ? (byte)((rgba[i + c] * a + 127) / 255) : a == 0 ? (byte)0 : (byte)Math.Min(255, (rgba[i + c] * 255 + a / 2) / a);
        }
    }
}
