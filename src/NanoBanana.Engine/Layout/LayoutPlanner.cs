namespace NanoBanana.Layout;

/// <summary>
/// Plans part boxes on a canvas so that no two overlap, by construction: every box lies inside its own cell
/// (Knolling, Grid) or level (Exploded), cells and levels are separated by at least <see cref="PartLayout.Gap"/>,
/// and everything stays inside the margins. Deterministic: the same parts and size give the same layout.
/// </summary>
/// <remarks>
/// Measures are fractions of the short side S, so a layout looks the same at every size: margin S/24, gap S/48,
/// smallest box side S/32 (at least 6 px), label room below each Knolling/Grid box 1.4 × the label text height
/// (<see cref="PartLayout.TextFraction"/>), and a label column beside each Exploded level.
/// </remarks>
public static class LayoutPlanner
{
    /// <summary>Copies up to this many get a box each; a part with more gets one box standing for all of them
    /// (its label shows the count), so 84 keyboard switches do not crowd out the case.</summary>
    public const int MaxCopyBoxes = 8;

    readonly record struct Item(PartSpec Part, int Instance);

    sealed record Metrics(double Margin, double Gap, double MinSide, double LabelHeight)
    {
        public static Metrics For(int width, int height)
        {
            double s = Math.Min(width, height);
            return new Metrics(s / 24, s / 48, Math.Max(6, s / 32), s * PartLayout.TextFraction * 1.4);
        }
    }

    /// <summary>The layout of <paramref name="parts"/> on a <paramref name="width"/> × <paramref name="height"/> image.</summary>
    /// <exception cref="LayoutCapacityException">The boxes do not fit at the minimum size; says how many do.</exception>
    public static PartLayout Plan(PartList parts, LayoutKind kind, int width, int height, ExplodedAxis axis = ExplodedAxis.Vertical)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (width < 64 || height < 64)
            throw new ArgumentOutOfRangeException(nameof(width), $"A layout needs at least 64x64 pixels, got {width}x{height}.");
        if (kind == LayoutKind.None)
            throw new ArgumentException("LayoutKind.None has no boxes; render without a layout instead.", nameof(kind));
        // No parts: the product itself is the one box, in the middle.
        var list = parts.Parts.Count > 0 ? parts.Parts : [new PartSpec(-1, parts.Product, 1, [], 1.0, 0)];
        var m = Metrics.For(width, height);
        var placed = TryPlace(list, kind, axis, width, height, m);
        if (placed is null)
        {
            int boxes = Expand(list).Count;
            int fitting = MostThatFit(kind, axis, width, height, boxes);
            throw new LayoutCapacityException(
                $"Parts needs {boxes} part boxes; a {kind}{(kind == LayoutKind.Exploded ? $" ({axis})" : "")} layout at {width}x{height} fits at most {fitting} " +
                $"(each box at least {m.MinSide:0} px, {m.Gap:0} px apart). Fix: fewer parts (group copies with count=\"…\"), a larger Width/Height" +
                (kind == LayoutKind.Grid ? "." : ", or -Layout Grid, which packs the most."), boxes, fitting);
        }
        return new PartLayout(kind, width, height, parts.Product, placed);
    }

    static List<PlacedPart>? TryPlace(IReadOnlyList<PartSpec> parts, LayoutKind kind, ExplodedAxis axis, int width, int height, Metrics m) =>
        kind == LayoutKind.Exploded
            ? (axis == ExplodedAxis.Diagonal ? Diagonal(parts, width, height, m) : Vertical(parts, width, height, m))
            : Cells(parts, kind == LayoutKind.Knolling, width, height, m);

    static List<Item> Expand(IEnumerable<PartSpec> parts) =>
        parts.SelectMany(p => p.Count <= MaxCopyBoxes ? Enumerable.Range(1, p.Count).Select(i => new Item(p, i)) : [new Item(p, 0)]).ToList();

    static PlacedPart Place(Item item, LayoutBox box, LayoutBox labelArea) =>
        new(item.Part.Index, item.Part.Name, item.Instance, item.Part.Count, item.Part.Attributes, box, labelArea);

    // Rows and columns of equal cells; each cell is a box region with a label strip below it.
    static List<PlacedPart>? Cells(IReadOnlyList<PartSpec> parts, bool knolling, int width, int height, Metrics m)
    {
        // Knolling: largest parts first, each part's copies together (OrderBy is stable: ties keep document order).
        var items = Expand(knolling ? parts.OrderByDescending(p => p.Scale) : parts);
        int n = items.Count;
        double availW = width - 2 * m.Margin, availH = height - 2 * m.Margin, strip = m.LabelHeight + m.Gap;
        int bestColumns = 0;
        double bestSide = 0;
        for (int c = 1; c <= n; c++)
        {
            int r = (n + c - 1) / c;
            double cw = (availW - (c - 1) * m.Gap) / c, rh = (availH - (r - 1) * m.Gap) / r - strip;
            double side = Math.Min(cw, rh);
            if (side > bestSide + 1e-9) (bestSide, bestColumns) = (side, c);
        }
        if (bestSide < m.MinSide) return null;

        int columns = bestColumns, rows = (n + columns - 1) / columns;
        double cellW = (availW - (columns - 1) * m.Gap) / columns, cellH = (availH - (rows - 1) * m.Gap) / rows;
        double regionH = cellH - strip;
        // Boxes no more than 4:3 either way: a very wide or tall cell would otherwise give a sliver of a part.
        double fullW = Math.Min(cellW, regionH * 4 / 3), fullH = Math.Min(regionH, fullW * 4 / 3);
        double maxScale = items.Max(i => i.Part.Scale);
        var placed = new List<PlacedPart>(n);
        for (int k = 0; k < n; k++)
        {
            int row = k / columns, column = k % columns;
            double cx = m.Margin + column * (cellW + m.Gap), cy = m.Margin + row * (cellH + m.Gap);
            // Area in proportion to the part's scale (side ∝ √scale), never below the smallest box.
            double ratio = knolling ? Math.Sqrt(items[k].Part.Scale / maxScale) : 1;
            double bw = Math.Max(Math.Min(m.MinSide, fullW), fullW * ratio), bh = Math.Max(Math.Min(m.MinSide, fullH), fullH * ratio);
            // Bottom-aligned in its region, so each row's parts share a baseline just above their labels.
            var box = new LayoutBox(cx + (cellW - bw) / 2, cy + regionH - bh, bw, bh);
            placed.Add(Place(items[k], box, new LayoutBox(cx, cy + regionH + m.Gap, cellW, m.LabelHeight)));
        }
        return placed;
    }

    // A part per level, in assembly order; a level holds the part's copies side by side, centred on the axis.
    // Levels that do not fit one column at the smallest box size wrap into further columns.
    static List<PlacedPart>? Vertical(IReadOnlyList<PartSpec> parts, int width, int height, Metrics m)
    {
        var levels = parts.OrderBy(p => p.Order).ThenBy(p => p.Index).ToList();
        for (int columns = 1; columns <= levels.Count; columns++)
        {
            int perColumn = (levels.Count + columns - 1) / columns;
            double columnW = (width - 2 * m.Margin - (columns - 1) * m.Gap) / columns;
            double labelW = columnW * 0.38, boxesW = columnW - labelW - m.Gap;
            var placed = new List<PlacedPart>();
            bool fits = boxesW >= m.MinSide;
            for (int c = 0; fits && c * perColumn < levels.Count; c++)
            {
                var chunk = levels.Skip(c * perColumn).Take(perColumn).ToList();
                double columnX = m.Margin + c * (columnW + m.Gap);
                var column = Stack(chunk, m.Margin, boxesW, height - 2 * m.Margin, m,
                    blockX: (blockW, _) => columnX + (boxesW - blockW) / 2,
                    labelArea: block => new LayoutBox(columnX + boxesW + m.Gap, block.Center.Y - m.LabelHeight / 2, labelW, m.LabelHeight));
                if (column is null) fits = false; else placed.AddRange(column);
            }
            if (fits) return placed;
        }
        return null;
    }

    // Levels down the canvas while sliding from the left edge to the right: an isometric exploded drawing.
    static List<PlacedPart>? Diagonal(IReadOnlyList<PartSpec> parts, int width, int height, Metrics m)
    {
        var levels = parts.OrderBy(p => p.Order).ThenBy(p => p.Index).ToList();
        double availW = width - 2 * m.Margin, labelW = availW * 0.3, boxesW = (availW - labelW - m.Gap) * 0.6;
        double travel = availW - labelW - m.Gap;
        return Stack(levels, m.Margin, boxesW, height - 2 * m.Margin, m,
            blockX: (blockW, t) => m.Margin + (travel - blockW) * t,
            labelArea: block => new LayoutBox(block.Right + m.Gap, block.Center.Y - m.LabelHeight / 2, width - m.Margin - block.Right - m.Gap, m.LabelHeight));
    }

    /// <summary>Stacks levels top to bottom in a band: heights in proportion to scale (capped so a short assembly
    /// is not a tower), equal gaps; <paramref name="blockX"/>(block width, position 0..1 down the stack) places each level's block.</summary>
    static List<PlacedPart>? Stack(List<PartSpec> levels, double top, double boxesW, double bandH, Metrics m,
        Func<double, double, double> blockX, Func<LayoutBox, LayoutBox> labelArea)
    {
        int n = levels.Count;
        double total = levels.Sum(l => l.Scale), usable = bandH - (n - 1) * m.Gap;
        if (usable <= 0) return null;
        var heights = levels.Select(l => Math.Min(usable * l.Scale / total, boxesW * 0.6 * Math.Sqrt(l.Scale))).ToList();
        double gap = n > 1 ? Math.Min((bandH - heights.Sum()) / (n - 1), 4 * m.Gap) : 0;
        double y = top + (bandH - heights.Sum() - gap * (n - 1)) / 2;
        var placed = new List<PlacedPart>();
        for (int i = 0; i < n; i++)
        {
            var items = Expand([levels[i]]);
            int k = items.Count;
            double h = heights[i], bw = Math.Min((boxesW - (k - 1) * m.Gap) / k, h * 1.6);
            if (h < m.MinSide || bw < m.MinSide) return null;
            double blockW = k * bw + (k - 1) * m.Gap;
            double x0 = blockX(blockW, n > 1 ? (double)i / (n - 1) : 0.5);
            var area = labelArea(new LayoutBox(x0, y, blockW, h));
            for (int j = 0; j < k; j++)
                placed.Add(Place(items[j], new LayoutBox(x0 + j * (bw + m.Gap), y, bw, h), area));
            y += h + gap;
        }
        return placed;
    }

    // The largest number of single, equal parts this kind fits: the figure the capacity error reports.
    static int MostThatFit(LayoutKind kind, ExplodedAxis axis, int width, int height, int atMost)
    {
        int lo = 0, hi = atMost - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            var probe = Enumerable.Range(0, mid).Select(i => new PartSpec(i, "part", 1, [], 1.0, i)).ToList();
            if (TryPlace(probe, kind, axis, width, height, Metrics.For(width, height)) is not null) lo = mid; else hi = mid - 1;
        }
        return lo;
    }
}
