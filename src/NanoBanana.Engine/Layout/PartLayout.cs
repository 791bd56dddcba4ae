using System.Text.Json;
using System.Text.Json.Serialization;

namespace NanoBanana.Layout;

/// <summary>One box of a layout: one copy of a part, or (<see cref="Instance"/> 0) all copies of a part with
/// more than <see cref="LayoutPlanner.MaxCopyBoxes"/>.</summary>
/// <param name="Part">Index of the part in its <see cref="PartList"/> (−1 for the product box of a list without parts).</param>
/// <param name="LabelArea">Where the planner left room for this part's label (the labeller tries it first).</param>
public sealed record PlacedPart(int Part, string Name, int Instance, int Count, IReadOnlyList<KeyValuePair<string, string>> Attributes,
    LayoutBox Box, LayoutBox LabelArea)
{
    /// <summary>Where a leader line ends: the box's centre.</summary>
    public LayoutPoint Anchor => Box.Center;

    public PlacedPart Scaled(double sx, double sy) => this with { Box = Box.Scaled(sx, sy), LabelArea = LabelArea.Scaled(sx, sy) };
}

/// <summary>A label drawn on the image: a part's name beside it (with a leader line), a numbered callout
/// (with a leader line), or a legend entry (no leader).</summary>
/// <param name="Box">The label's ink box (text plus padding), which must touch no part and no other label.</param>
/// <param name="TextHeight">The text's em height in pixels.</param>
public sealed record PartLabel(int Part, string Text, LayoutBox Box, double TextHeight, LayoutPoint? LeaderFrom, LayoutPoint? LeaderTo, bool IsCallout)
{
    public PartLabel Scaled(double sx, double sy) => this with
    {
        Box = Box.Scaled(sx, sy), TextHeight = TextHeight * sy, LeaderFrom = LeaderFrom?.Scaled(sx, sy), LeaderTo = LeaderTo?.Scaled(sx, sy),
    };
}

/// <summary>
/// Where every part of a product sits on an image of <see cref="Width"/> × <see cref="Height"/> pixels, and (once
/// labelled) where its labels are. Immutable; travels with the image (rescaled by every resize, see
/// <see cref="ScaledTo"/>) and in its PNG as JSON (<see cref="ToJson"/>).
/// </summary>
public sealed record PartLayout(LayoutKind Kind, int Width, int Height, string Product, IReadOnlyList<PlacedPart> Parts)
{
    /// <summary>The PNG text chunk keyword the layout is stored under.</summary>
    public const string PngKeyword = "nanobanana-layout";

    /// <summary>Label text height (em) as a share of the image's short side: 21 px on a 1024² sheet, 10.7 px at 512²
    /// (DejaVu Sans is legible from about 9 px); smaller would not be read, larger leaves dense sheets no room.</summary>
    public const double TextFraction = 1.0 / 48;

    public IReadOnlyList<PartLabel> Labels { get; init; } = [];

    /// <summary>Room the planner reserved for a legend (names that do not fit beside their parts become numbered
    /// callouts listed there); null when every name fits.</summary>
    public LayoutBox? LegendArea { get; init; }

    /// <summary>The sheet's background once cleaned ("#RRGGBB", or "#RRGGBB transparent"); null before.</summary>
    public string? Background { get; init; }

    /// <summary>Label text height in pixels at this size.</summary>
    [JsonIgnore]
    public double TextHeight => Math.Min(Width, Height) * TextFraction;

    /// <summary>The gap the planner keeps between boxes at this size (1/48 of the short side).</summary>
    [JsonIgnore]
    public double Gap => Math.Min(Width, Height) / 48.0;

    /// <summary>The smallest distance between two part boxes (∞ with fewer than two).</summary>
    public double MinimumPartGap()
    {
        double gap = double.PositiveInfinity;
        for (int i = 0; i < Parts.Count; i++)
            for (int j = i + 1; j < Parts.Count; j++)
                gap = Math.Min(gap, Parts[i].Box.DistanceTo(Parts[j].Box));
        return gap;
    }

    /// <summary>The same layout on an image resized to <paramref name="width"/> × <paramref name="height"/>.</summary>
    public PartLayout ScaledTo(int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"Size {width}x{height} must be positive.");
        if (width == Width && height == Height) return this;
        double sx = (double)width / Width, sy = (double)height / Height;
        return this with
        {
            Width = width, Height = height,
            Parts = Parts.Select(p => p.Scaled(sx, sy)).ToList(),
            Labels = Labels.Select(l => l.Scaled(sx, sy)).ToList(),
            LegendArea = LegendArea?.Scaled(sx, sy),
        };
    }

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <exception cref="FormatException">The text is not a layout this version wrote.</exception>
    public static PartLayout FromJson(string json)
    {
        PartLayout? layout;
        try
        {
            layout = JsonSerializer.Deserialize<PartLayout>(json, Json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"The part layout is not valid layout JSON: {e.Message}", e);
        }
        if (layout is null || layout.Width <= 0 || layout.Height <= 0 || layout.Parts is null || layout.Labels is null || layout.Product is null)
            throw new FormatException("The part layout JSON lacks its size, product or parts.");
        return layout;
    }
}
