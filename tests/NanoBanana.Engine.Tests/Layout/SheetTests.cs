using NanoBanana.Imaging;
using NanoBanana.Layout;

namespace NanoBanana.Engine.Tests.Layout;

/// <summary>Background cleaning, labelling and measuring on synthetic sheets: the layout's images filled with seeded
/// noise (what the synthetic model's textures look like) instead of a render, so every size and catalogue is fast.</summary>
public class SheetTests
{
    const string Drone = """<product name="quadcopter drone"><part name="propeller" count="4" material="carbon fibre"/><part name="folding arm" count="4" colour="graphite"/><part name="flight battery" colour="grey"/><part name="gimbal camera"/></product>""";

    internal static RgbaImage Noise(PartLayout layout, int seed = 1)
    {
        var pixels = new byte[layout.Width * layout.Height * 4];
        new Random(seed).NextBytes(pixels);
        for (int i = 3; i < pixels.Length; i += 4) pixels[i] = 255;
        return new RgbaImage(layout.Width, layout.Height, pixels, hasAlpha: false, new GenerationParameters { Layout = layout });
    }

    static RgbaImage Sheet(string parts, LayoutKind kind, int size)
    {
        var layout = LayoutPlanner.Plan(PartList.Parse(parts), kind, size, size);
        return PartLabeling.Apply(BackgroundCleaning.Apply(Noise(layout), layout, SheetBackground.White));
    }

    static void AssertClean(ExplodedViewMetrics m, double textHeight, string what)
    {
        Assert.True(m.PartOverlap == 0, $"{what}: PartOverlap {m.PartOverlap}");
        Assert.True(m.BackgroundPurity >= 0.999, $"{what}: BackgroundPurity {m.BackgroundPurity}");
        Assert.True(m.LabelCollisions == 0, $"{what}: {m.LabelCollisions} label collisions");
        Assert.True(m.LabelsInside, $"{what}: {m.LabelsOutside} labels outside");
        Assert.True(m.MinimumTextHeight >= textHeight - 1e-9, $"{what}: text {m.MinimumTextHeight} px");
    }

    [Fact]
    public void CleaningMakesEverythingBeyondThePartsReachExactlyTheBackground()
    {
        var layout = LayoutPlanner.Plan(PartList.Parse(Drone), LayoutKind.Knolling, 512, 512);
        var noise = Noise(layout);
        var clean = BackgroundCleaning.Apply(noise, layout, SheetBackground.Parse("#F0E0D0"));
        double dilate = layout.Gap / 4, reach = BackgroundCleaning.Reach(layout);
        for (int y = 0; y < 512; y++)
            for (int x = 0; x < 512; x++)
            {
                double d = layout.Parts.Min(p => p.Box.DistanceTo(new LayoutPoint(x + 0.5, y + 0.5)));
                int o = (y * 512 + x) * 4;
                if (d >= reach) Assert.Equal((0xF0, 0xE0, 0xD0), (clean.Pixels[o], clean.Pixels[o + 1], clean.Pixels[o + 2]));
                else if (d <= dilate) Assert.Equal(noise.Pixels.AsSpan(o, 4).ToArray(), clean.Pixels.AsSpan(o, 4).ToArray());
            }
        Assert.Equal("#F0E0D0", clean.Parameters.Layout!.Background);
    }

    [Fact]
    public void ATransparentBackgroundTakesItsAlphaFromTheMask()
    {
        var layout = LayoutPlanner.Plan(PartList.Parse(Drone), LayoutKind.Grid, 256, 256);
        var clean = BackgroundCleaning.Apply(Noise(layout), layout, SheetBackground.White with { Transparent = true });
        Assert.True(clean.HasAlpha);
        var c = layout.Parts[0].Anchor;
        Assert.Equal(255, clean.Pixels[((int)c.Y * 256 + (int)c.X) * 4 + 3]);
        Assert.Equal(0, clean.Pixels[3]);
        var m = ExplodedViewMeasure.Measure(clean);
        Assert.Equal((0.0, 1.0), (m.PartOverlap, m.BackgroundPurity));
    }

    [Fact]
    public void AnUncleanedRenderIsImpureAndOverlappingBoxesAreMeasured()
    {
        var layout = LayoutPlanner.Plan(PartList.Parse(Drone), LayoutKind.Knolling, 256, 256);
        Assert.True(ExplodedViewMeasure.Measure(Noise(layout)).BackgroundPurity < 0.1);
        var boxes = layout.Parts.ToList();
        boxes[1] = boxes[1] with { Box = boxes[0].Box with { X = boxes[0].Box.X + boxes[0].Box.Width / 2 } };
        var overlapping = layout with { Parts = boxes };
        var m = ExplodedViewMeasure.Measure(BackgroundCleaning.Apply(Noise(overlapping), overlapping, SheetBackground.White));
        Assert.InRange(m.PartOverlap, 0.01, 0.5);
        Assert.True(m.MinimumPartGap == 0);
    }

    // The acceptance, on the layout and cleaned synthetic images (no diffusion render, to stay fast):
    // generated catalogues of 1–40 parts at 512² and 1024², every kind. A sheet the planner accepts must come out
    // clean and fully labelled; one it refuses (long names on a crowded sheet: ~28 such parts) must be refused
    // honestly. Up to 20 parts are never refused in Knolling or Grid.
    [Theory]
    [InlineData(512)]
    [InlineData(1024)]
    public void GeneratedCataloguesComeOutCleanAndLegiblyLabelled(int size)
    {
        for (int parts = 1; parts <= 40; parts++)
        {
            var list = PartList.Parse(Catalogues.Generated(parts, seed: parts * 31 + size));
            foreach (var kind in new[] { LayoutKind.Knolling, LayoutKind.Grid, LayoutKind.Exploded })
            {
                PartLayout layout;
                try
                {
                    layout = LayoutPlanner.Plan(list, kind, size, size);
                }
                catch (LayoutCapacityException e) when (parts > 20 || kind == LayoutKind.Exploded)
                {
                    LayoutPlannerTests.AssertRefusalIsHonest(list, kind, ExplodedAxis.Vertical, size, e);
                    continue;
                }
                var sheet = PartLabeling.Apply(BackgroundCleaning.Apply(Noise(layout), layout, SheetBackground.White));
                AssertClean(ExplodedViewMeasure.Measure(sheet), size / 48.0, $"{parts} parts, {kind} at {size}");
            }
        }
    }

    [Theory]
    [InlineData(512)]
    [InlineData(1024)]
    public void FortyShortNamedPartsFitEveryCellKind(int size)
    {
        string xml = "<p>" + string.Concat(Enumerable.Range(1, 40).Select(i => $"<part name=\"M{i} screw\"/>")) + "</p>";
        foreach (var kind in new[] { LayoutKind.Knolling, LayoutKind.Grid })
            AssertClean(ExplodedViewMeasure.Measure(Sheet(xml, kind, size)), size / 48.0, $"40 short names, {kind} at {size}");
    }

    [Fact]
    public void EveryExampleRowComesOutCleanAndLegiblyLabelled()
    {
        foreach (var (name, parts) in Catalogues.ExampleRows())
            foreach (var kind in new[] { LayoutKind.Knolling, LayoutKind.Grid, LayoutKind.Exploded })
                foreach (int size in new[] { 512, 1024 })
                {
                    var layout = LayoutPlanner.Plan(PartList.Parse(parts, name), kind, size, size);
                    var sheet = PartLabeling.Apply(BackgroundCleaning.Apply(Noise(layout), layout, SheetBackground.White));
                    AssertClean(ExplodedViewMeasure.Measure(sheet), size / 48.0, $"{name}, {kind} at {size}");
                    Assert.Equal(layout.Parts.Select(p => p.Part).Distinct().Count(), sheet.Parameters.Layout!.Labels.Count(l => l.LeaderTo is not null));
                }
    }

    [Fact]
    public void LabelsAfterDoublingLandOnTheScaledAnchors()
    {
        var layout = LayoutPlanner.Plan(PartList.Parse(Drone), LayoutKind.Exploded, 256, 256);
        var clean = BackgroundCleaning.Apply(Noise(layout), layout, SheetBackground.White);
        var small = PartLabeling.Apply(clean).Parameters.Layout!;
        var doubled = ImageResampler.Resize(clean, 512, 512);
        Assert.Equal(512, doubled.Parameters.Layout!.Width);
        var large = PartLabeling.Apply(doubled).Parameters.Layout!;
        Assert.Equal(small.Labels.Count, large.Labels.Count);
        foreach (var (s, l) in small.Labels.Zip(large.Labels))
        {
            var anchor = layout.Parts.First(p => p.Part == s.Part);
            Assert.True(Distance(l.LeaderTo!.Value, anchor.Anchor.Scaled(2, 2)) <= 1, $"{s.Text}: leader ends {l.LeaderTo} vs {anchor.Anchor.Scaled(2, 2)}");
            Assert.True(Math.Abs(l.Box.X - 2 * s.Box.X) <= 1 && Math.Abs(l.Box.Y - 2 * s.Box.Y) <= 1, $"{s.Text}: {l.Box} vs 2 × {s.Box}");
        }
        AssertClean(ExplodedViewMeasure.Measure(PartLabeling.Apply(doubled)), 512 / 48.0, "doubled");
    }

    static double Distance(LayoutPoint a, LayoutPoint b) => Math.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));

    [Fact]
    public void NamesLongerThanTheCanvasBecomeCalloutsWithAnEllipsisedLegend()
    {
        string longName = string.Concat(Enumerable.Repeat("extraordinarily long part name ", 12)).Trim();
        var sheet = Sheet($"<p><part name=\"{longName}\"/><part name=\"lid\"/></p>", LayoutKind.Knolling, 512);
        var labels = sheet.Parameters.Layout!.Labels;
        Assert.Contains(labels, l => l.IsCallout);
        Assert.Contains(labels, l => l.Text.EndsWith('…') && l.LeaderTo is null);
        AssertClean(ExplodedViewMeasure.Measure(sheet), 512 / 48.0, "long name");
    }

    [Fact]
    public void AnImageWithoutALayoutIsAClearError()
    {
        var plain = RgbaImage.CreateOpaque(64, 64);
        Assert.Contains("carries no part layout", Assert.Throws<LayoutMissingException>(() => PartLabeling.Apply(plain)).Message);
        Assert.Throws<LayoutMissingException>(() => ExplodedViewMeasure.Measure(plain));
    }

    [Fact]
    public void LabellingTwiceIsRefused()
    {
        var sheet = Sheet(Drone, LayoutKind.Grid, 256);
        Assert.Contains("already labelled", Assert.Throws<InvalidOperationException>(() => PartLabeling.Apply(sheet)).Message);
    }

    [Fact]
    public void ThePngCarriesTheLayoutAndADamagedLayoutReadsAsNone()
    {
        var sheet = Sheet(Drone, LayoutKind.Exploded, 256);
        var png = ImageCodec.EncodePng(sheet);
        var read = ImageCodec.Decode(png, "sheet.png");
        Assert.Equal(sheet.Parameters.Layout!.ToJson(), read.Parameters.Layout!.ToJson());
        var damaged = PngTextChunks.Insert(ImageCodec.EncodePng(RgbaImage.CreateOpaque(64, 64)), PartLayout.PngKeyword, "{not json");
        Assert.Null(ImageCodec.Decode(damaged, "damaged.png").Parameters.Layout);
    }

    [Theory]
    [InlineData("")]
    [InlineData("#12345")]
    [InlineData("300,0,0")]
    [InlineData("mauve-ish")]
    public void ABadBackgroundColourIsAFormatError(string text) =>
        Assert.Contains("#RRGGBB", Assert.Throws<FormatException>(() => SheetBackground.Parse(text)).Message);
}
