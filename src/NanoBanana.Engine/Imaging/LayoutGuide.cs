using NanoBanana.Layout;

namespace NanoBanana.Imaging;

/// <summary>
/// The image a laid-out render starts from (image-to-image): the sheet's background with every part box as a flat-shaded
/// silhouette — a rounded rectangle lit from above (lighter at the top, darker at the bottom) — over a soft contact
/// shadow under its lower edge. The model then only has to texture shapes that already sit in their boxes, so what it
/// paints lands where the layout, the regional prompts and the background cleaning expect it.
/// </summary>
/// <remarks>
/// Parts are a mid tone of the background (darker on a light sheet, lighter on a dark one), so the encoder sees edges in
/// either case; alternate parts differ slightly in tone so neighbours stay distinct. The shadow stays inside
/// <see cref="BackgroundCleaning.Reach"/> of its box, so cleaning keeps it. Pure pixel arithmetic, deterministic, drawn
/// in parallel rows.
/// </remarks>
public static class LayoutGuide
{
    /// <summary>Corner radius as a share of a box's short side.</summary>
    const double CornerFraction = 0.12;

    /// <summary>How much the contact shadow darkens the background at its centre.</summary>
    const double ShadowDepth = 0.35;

    /// <summary>The guide for <paramref name="layout"/> at its own size, opaque (a transparent sheet's guide is drawn on its
    /// colour: the encoder reads RGB).</summary>
    public static RgbaImage Draw(PartLayout layout, SheetBackground background)
    {
        ArgumentNullException.ThrowIfNull(layout);
        int width = layout.Width, height = layout.Height;
        double reach = BackgroundCleaning.Reach(layout);
        var parts = layout.Parts.Select((p, i) => (Box: p.Box, Tone: PartTone(background, i))).ToArray();
        return RgbaImage.Create(width, height, hasAlpha: false, null, (y, row) =>
        {
            double py = y + 0.5;
            for (int x = 0; x < width; x++)
            {
                double px = x + 0.5, r = background.R, g = background.G, b = background.B;
                foreach (var (box, tone) in parts)
                {
                    if (py < box.Y - reach || py >= box.Bottom + reach || px < box.X - reach || px >= box.Right + reach) continue;
                    // The shadow: an ellipse centred on the box's lower edge, half the reach deep, fading out smoothly.
                    double ex = (px - box.Center.X) / (box.Width / 2 + reach / 2), ey = (py - box.Bottom) / (reach / 2);
                    double shade = 1 - ShadowDepth * Math.Max(0, 1 - (ex * ex + ey * ey));
                    r *= shade; g *= shade; b *= shade;
                    double coverage = Coverage(box, px, py);
                    if (coverage <= 0) continue;
                    // Lit from above: +10 % at the top edge to −20 % at the bottom.
                    double light = 1.1 - 0.3 * Math.Clamp((py - box.Y) / box.Height, 0, 1);
                    r += (Math.Min(255, tone * light) - r) * coverage;
                    g += (Math.Min(255, tone * light) - g) * coverage;
                    b += (Math.Min(255, tone * light) - b) * coverage;
                }
                row[x] = new Rgba32(Byte(r), Byte(g), Byte(b), 255);
            }
        });
    }

    /// <summary>A part's grey level: 55 % of the background's luminance, lifted by 60 on a light sheet (white → 200) and
    /// by 116 on a dark one (black → 116), 8 % darker on every other part.</summary>
    static double PartTone(SheetBackground background, int index)
    {
        double luminance = 0.299 * background.R + 0.587 * background.G + 0.114 * background.B;
        double tone = luminance * 0.55 + (luminance > 128 ? 60 : 116);
        return tone * (index % 2 == 0 ? 1.0 : 0.92);
    }

    /// <summary>Anti-aliased coverage of the box's rounded rectangle at a pixel centre: the signed distance to its
    /// edge mapped over one pixel.</summary>
    static double Coverage(LayoutBox box, double px, double py)
    {
        double radius = Math.Min(box.Width, box.Height) * CornerFraction;
        double qx = Math.Abs(px - box.Center.X) - (box.Width / 2 - radius);
        double qy = Math.Abs(py - box.Center.Y) - (box.Height / 2 - radius);
        double outside = Math.Sqrt(Math.Pow(Math.Max(qx, 0), 2) + Math.Pow(Math.Max(qy, 0), 2)) + Math.Min(Math.Max(qx, qy), 0) - radius;
        return Math.Clamp(0.5 - outside, 0, 1);
    }

    static byte Byte(double v) => (byte)Math.Clamp(Math.Round(v), 0, 255);
}
