namespace NanoBanana.Layout;

/// <summary>A point in image pixels (x to the right, y down).</summary>
public readonly record struct LayoutPoint(double X, double Y)
{
    public LayoutPoint Scaled(double sx, double sy) => new(X * sx, Y * sy);
}

/// <summary>An axis-aligned rectangle in image pixels; <see cref="Right"/> and <see cref="Bottom"/> are exclusive.</summary>
public readonly record struct LayoutBox(double X, double Y, double Width, double Height)
{
    public double Right => X + Width;

    public double Bottom => Y + Height;

    public LayoutPoint Center => new(X + Width / 2, Y + Height / 2);

    /// <summary>True when the interiors meet (touching edges do not overlap).</summary>
    public bool Intersects(LayoutBox other) =>
        X < other.Right && other.X < Right && Y < other.Bottom && other.Y < Bottom;

    public bool Contains(LayoutBox other) =>
        other.X >= X && other.Y >= Y && other.Right <= Right && other.Bottom <= Bottom;

    public bool Contains(double x, double y) => x >= X && x < Right && y >= Y && y < Bottom;

    public LayoutBox Inflated(double by) => new(X - by, Y - by, Width + 2 * by, Height + 2 * by);

    public LayoutBox Scaled(double sx, double sy) => new(X * sx, Y * sy, Width * sx, Height * sy);

    /// <summary>The distance between the two rectangles (0 when they touch or overlap).</summary>
    public double DistanceTo(LayoutBox other)
    {
        double dx = Math.Max(0, Math.Max(other.X - Right, X - other.Right));
        double dy = Math.Max(0, Math.Max(other.Y - Bottom, Y - other.Bottom));
        return Math.Sqrt(dx * dx + dy * dy);
    }

    /// <summary>The distance from a point to the rectangle (0 inside).</summary>
    public double DistanceTo(LayoutPoint p)
    {
        double dx = Math.Max(0, Math.Max(X - p.X, p.X - Right));
        double dy = Math.Max(0, Math.Max(Y - p.Y, p.Y - Bottom));
        return Math.Sqrt(dx * dx + dy * dy);
    }
}
