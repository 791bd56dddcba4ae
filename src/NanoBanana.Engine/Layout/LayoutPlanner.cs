namespace NanoBanana.Layout;

/// <summary>
/// Plans part boxes on a canvas so that no two overlap, by construction: every box lies inside its own cell
/// (Knolling, Grid) or level (Exploded), cells and levels are separated by at least <see cref="PartLayout.Gap"/>,
/// and everything stays inside the margins. Deterministic: the same parts and size give the same layout.
/// </summary>
/// <remarks>
/// Measures are fractions of the short side S, so a layout looks the same at every size: margin S/24, gap S/48,
/// smallest box side S/32 (at least 6 px), label room below each Knolling/Grid box 1.7 × the label text height
/// (<see cref="PartLayout.TextFraction"/>), and a label column beside each Exploded level.
/// </remarks>
public static class LayoutPlanner
{
    /// <summary>Copies up to this many get a box each; a part with more gets one box standing for all of them
    /// (its label shows the count), so 84 keyboard switches do not crowd out the case.</summary>
    public const int MaxCopyBoxes = 8;

    readonly record struct Item(PartSpec Part, int Instance);

    sealed record Metrics(double Margin, double Gap, double MinSide, double TextHeight)
    {
        /// <summary>Room for one label line: DejaVu's ascent plus descent (1.164 em) and a quarter em of padding above and below.</summary>
        public double LabelHeight => TextHeight * 1.7;

        public static Metrics For(int width, int height)
        {
            double s = Math.Min(width, height);
            return new Metrics(s / 24, s / 48, Math.Max(6, s / 32), s * PartLayout.TextFraction);
        }
    }

    /// <summary>The layout of <paramref name="parts"/> on a <paramref name="width"/> × <paramref name="height"/> image.</summary>
    /// <exception cref="LayoutCapacityException">The boxes, or their labels, do not fit at the minimum sizes; says how many parts do.</exception>
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
        if (TryPlan(list, kind, axis, width, height, m) is { } plan)
            return new PartLayout(kind, width, height, parts.Product, plan.Placed) { LegendArea = plan.Legend };
        int fitting = MostThatFit(list, kind, axis, width, height, m);
        throw new LayoutCapacityException(
            $"Parts lists {list.Count} parts ({Expand(list).Count} boxes); a {kind}{(kind == LayoutKind.Exploded ? $" ({axis})" : "")} layout at {width}x{height} " +
            $"fits the first {fitting} with legible labels (each box at least {m.MinSide:0} px, {m.Gap:0} px apart, text {m.TextHeight:0.#} px). " +
            "Fix: fewer parts (group copies with count=\"…\"), shorter names, a larger Width/Height" +
            (kind == LayoutKind.Grid ? "." : ", or -Layout Grid, which packs the most."), list.Count, fitting);
    }

    /// <summary>Boxes, then room for every label: a name beside its part where the estimate fits, else a numbered
    /// callout there and the name in a legend band at the foot of the sheet, reserved here so that it never lands on
    /// a part. Shrinking the parts' band can make more names too long, so the set of callouts grows until stable.
    /// Null when the parts, or their labels, do not fit.</summary>
    static (List<PlacedPart> Placed, LayoutBox? Legend)? TryPlan(IReadOnlyList<PartSpec> list, LayoutKind kind, ExplodedAxis axis, int width, int height, Metrics m)
    {
        var placed = TryPlace(list, kind, axis, width, height, m);
        LayoutBox? legend = null;
        var callouts = new HashSet<int>();
        for (int round = 0; placed is not null; round++)
        {
            var tooLong = placed.Where(p => !NameFits(p, m)).Select(p => p.Part).ToHashSet();
            if (tooLong.IsSubsetOf(callouts)) break;
            if (round == 4) return null;
            callouts.UnionWith(tooLong);
            double band = LegendHeight(list.Where(p => callouts.Contains(p.Index)).ToList(), width, m);
            placed = TryPlace(list, kind, axis, width, height - band - m.Gap, m);
            legend = new LayoutBox(m.Margin, height - m.Margin - band, width - 2 * m.Margin, band);
        }
        // Every label area must hold at least its callout number.
        string number = new('8', callouts.Count.ToString(System.Globalization.CultureInfo.InvariantCulture).Length);
        if (placed is null || placed.Any(p => p.LabelArea.Width < EstimatedTextWidth(number, m.TextHeight))) return null;
        return (placed, legend);
    }

    /// <summary>A generous estimate of a label's width in DejaVu Sans (0.66 em a character plus an em of padding,
    /// above the font's average; the labeller measures the real glyphs and still falls back when it guessed short).</summary>
    public static double EstimatedTextWidth(string text, double textHeight) => (text.Length * 0.66 + 1) * textHeight;

    /// <summary>The text a part's label shows by default: its name, with the count when one box stands for many copies.</summary>
    public static string DefaultLabel(PlacedPart part) => part.Instance == 0 ? $"{part.Count} × {part.Name}" : part.Name;

    static bool NameFits(PlacedPart part, Metrics m) => EstimatedTextWidth(DefaultLabel(part), m.TextHeight) <= part.LabelArea.Width;

    static double LegendHeight(IReadOnlyList<PartSpec> parts, int width, Metrics m)
    {
        double available = width - 2 * m.Margin;
        double column = Math.Min(available, parts.Max(p => EstimatedTextWidth($"{parts.Count}  {(p.Count > MaxCopyBoxes ? $"{p.Count} × " : "")}{p.Name}", m.TextHeight)));
        int columns = Math.Max(1, (int)((available + m.Gap) / (column + m.Gap)));
        return Math.Ceiling((double)parts.Count / columns) * LegendLineHeight(m.TextHeight);
    }

    /// <summary>The height of one legend entry: 1.8 × the text height (DejaVu's ascent plus descent is 1.17 em, plus padding).</summary>
    public static double LegendLineHeight(double textHeight) => 1.8 * textHeight;

    static List<PlacedPart>? TryPlace(IReadOnlyList<PartSpec> parts, LayoutKind kind, ExplodedAxis axis, int width, double height, Metrics m) =>
        kind == LayoutKind.Exploded
            ? (axis == ExplodedAxis.Diagonal ? Diagonal(parts, width, height, m) : Vertical(parts, width, height, m))
            : Cells(parts, kind == LayoutKind.Knolling, width, height, m);

    static List<Item> Expand(IEnumerable<PartSpec> parts) =>
        parts.SelectMany(p => p.Count <= MaxCopyBoxes ? Enumerable.Range(1, p.Count).Select(i => new Item(p, i)) : [new Item(p, 0)]).ToList();

    static PlacedPart Place(Item item, LayoutBox box, LayoutBox labelArea) =>
        new(item.Part.Index, item.Part.Name, item.Instance, item.Part.Count, item.Part.Attributes, box, labelArea);

    // Rows and columns of equal cells; each cell is a box region with a label strip below it.
    static List<PlacedPart>? Cells(IReadOnlyList<PartSpec> parts, bool knolling, int width, double height, Metrics m)
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
    static List<PlacedPart>? Vertical(IReadOnlyList<PartSpec> parts, int width, double height, Metrics m)
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
    static List<PlacedPart>? Diagonal(IReadOnlyList<PartSpec> parts, int width, double height, Metrics m)
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
        // Each level's label sits level with its centre: neighbouring centres must be a label apart.
        for (int i = 1; i < n; i++)
            if (heights[i - 1] / 2 + gap + heights[i] / 2 < m.LabelHeight + 2) return null;
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

    // The longest prefix of the parts list that fits, labels included: the figure the capacity error reports.
    static int MostThatFit(IReadOnlyList<PartSpec> list, LayoutKind kind, ExplodedAxis axis, int width, int height, Metrics m)
    {
        int lo = 0, hi = list.Count - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (TryPlan(list.Take(mid).ToList(), kind, axis, width, height, m) is not null) lo = mid; else hi = mid - 1;
        }
        return lo;
    }
}
