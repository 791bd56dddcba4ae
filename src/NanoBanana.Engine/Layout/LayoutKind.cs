namespace NanoBanana.Layout;

/// <summary>How the parts of a product are arranged on the sheet.</summary>
public enum LayoutKind
{
    /// <summary>No layout: free composition, as a plain text-to-image render.</summary>
    None,

    /// <summary>Aligned rows and columns, each part's copies side by side, largest parts first, one uniform gap.</summary>
    Knolling,

    /// <summary>Parts pulled apart along an assembly axis (vertical or diagonal), in assembly order, equal gaps.</summary>
    Exploded,

    /// <summary>Uniform cells in document order, every box the same size.</summary>
    Grid,
}

/// <summary>The assembly axis of an <see cref="LayoutKind.Exploded"/> layout.</summary>
public enum ExplodedAxis
{
    /// <summary>Top to bottom; a long assembly wraps into several side-by-side columns.</summary>
    Vertical,

    /// <summary>Top left to bottom right, as an isometric exploded drawing.</summary>
    Diagonal,
}
