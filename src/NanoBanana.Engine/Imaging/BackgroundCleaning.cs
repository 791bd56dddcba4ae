using NanoBanana.Layout;

namespace NanoBanana.Imaging;

/// <summary>
/// Makes a laid-out render's background exactly plain: a pixel farther than <see cref="Reach"/> from every part
/// box becomes the background colour; within a box dilated by a quarter gap it is kept; over the next quarter gap
/// it fades linearly into the background (the feather), so part edges are soft and the background is pure.
/// </summary>
/// <remarks>
/// Dilation plus feather is half the planner's gap, so two parts' masks never meet, and
/// <see cref="ExplodedViewMeasure"/> counts exactly the pixels beyond that reach as background.
/// With a transparent background the mask becomes the alpha channel and part colours are kept unblended.
/// </remarks>
public static class BackgroundCleaning
{
    /// <summary>Distance from a part box within which pixels are part (not background): half the gap.</summary>
    public static double Reach(PartLayout layout) => layout.Gap / 2;

    /// <summary>The part mask: 1 inside the dilated boxes, fading to 0 at <see cref="Reach"/>; row-major, one float a pixel.</summary>
    public static float[] PartMask(PartLayout layout, int width, int height)
    {
        double dilate = layout.Gap / 4, feather = layout.Gap / 4, reach = dilate + feather;
        var mask = new float[width * height];
        foreach (var part in layout.Parts)
        {
            var box = part.Box;
            int x0 = Math.Max(0, (int)Math.Floor(box.X - reach)), x1 = Math.Min(width, (int)Math.Ceiling(box.Right + reach));
            int y0 = Math.Max(0, (int)Math.Floor(box.Y - reach)), y1 = Math.Min(height, (int)Math.Ceiling(box.Bottom + reach));
            for (int y = y0; y < y1; y++)
                for (int x = x0; x < x1; x++)
                {
                    double d = box.DistanceTo(new LayoutPoint(x + 0.5, y + 0.5));
                    float w = d <= dilate ? 1f : d >= reach ? 0f : (float)(1 - (d - dilate) / feather);
                    int i = y * width + x;
                    if (w > mask[i]) mask[i] = w;
                }
        }
        return mask;
    }

    /// <summary>A new image: outside the part masks exactly <paramref name="background"/>, parts kept; it carries
    /// the layout with the background recorded in it.</summary>
    public static RgbaImage Apply(RgbaImage image, PartLayout layout, SheetBackground background)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(layout);
        layout = layout.ScaledTo(image.Width, image.Height);
        var mask = PartMask(layout, image.Width, image.Height);
        var source = image.Pixels;
        var pixels = new byte[source.Length];
        for (int i = 0; i < mask.Length; i++)
        {
            int o = i * 4;
            float w = mask[i];
            if (background.Transparent)
            {
                bool part = w > 0;
                pixels[o] = part ? source[o] : background.R;
                pixels[o + 1] = part ? source[o + 1] : background.G;
                pixels[o + 2] = part ? source[o + 2] : background.B;
                pixels[o + 3] = (byte)MathF.Round(w * (image.HasAlpha ? source[o + 3] : 255));
            }
            else
            {
                pixels[o] = Blend(source[o], background.R, w);
                pixels[o + 1] = Blend(source[o + 1], background.G, w);
                pixels[o + 2] = Blend(source[o + 2], background.B, w);
                pixels[o + 3] = 255;
            }
        }
        var parameters = image.Parameters.Clone();
        parameters.Layout = layout with { Background = background.ToString() };
        return new RgbaImage(image.Width, image.Height, pixels, background.Transparent, parameters);
    }

    static byte Blend(byte part, byte background, float w) => (byte)MathF.Round(background + (part - background) * w);
}
