using NanoBanana.Layout;
using NanoBanana.Text;

namespace NanoBanana.Engine.Tests.Layout;

public class LayoutPlannerTests
{
    const string Drone = """<product name="quadcopter drone"><part name="propeller" count="4" material="carbon fibre"/><part name="folding arm" count="4" colour="graphite"/><part name="flight battery" colour="grey"/><part name="gimbal camera"/></product>""";

    public static TheoryData<LayoutKind, ExplodedAxis> Kinds => new()
    {
        { LayoutKind.Knolling, ExplodedAxis.Vertical }, { LayoutKind.Grid, ExplodedAxis.Vertical },
        { LayoutKind.Exploded, ExplodedAxis.Vertical }, { LayoutKind.Exploded, ExplodedAxis.Diagonal },
    };

    /// <summary>The layout's promises: every box inside the margins, no two boxes closer than the gap.</summary>
    internal static void AssertWellFormed(PartLayout layout)
    {
        double margin = Math.Min(layout.Width, layout.Height) / 24.0 - 1e-6;
        var canvas = new LayoutBox(margin, margin, layout.Width - 2 * margin, layout.Height - 2 * margin);
        foreach (var part in layout.Parts)
        {
            Assert.True(canvas.Contains(part.Box), $"{part.Name} #{part.Instance} at {part.Box} leaves the margins of {layout.Width}x{layout.Height}.");
            Assert.True(part.Box.Width >= Math.Max(6, Math.Min(layout.Width, layout.Height) / 32.0) - 1e-6, $"{part.Name} is {part.Box.Width} px wide.");
        }
        if (layout.Parts.Count > 1) Assert.True(layout.MinimumPartGap() >= layout.Gap - 1e-6, $"Minimum gap {layout.MinimumPartGap()} < {layout.Gap}.");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ACountOfFourGivesFourBoxes(LayoutKind kind, ExplodedAxis axis)
    {
        var layout = LayoutPlanner.Plan(PartList.Parse(Drone), kind, 1024, 1024, axis);
        Assert.Equal(4, layout.Parts.Count(p => p.Name == "propeller"));
        Assert.Equal([1, 2, 3, 4], layout.Parts.Where(p => p.Name == "propeller").Select(p => p.Instance).Order());
        Assert.Equal(10, layout.Parts.Count);
        AssertWellFormed(layout);
    }

    [Fact]
    public void NoPartsGiveOneCentralProductBox()
    {
        var layout = LayoutPlanner.Plan(PartList.Parse(null, "Trailhead 28L Pack"), LayoutKind.Knolling, 512, 512);
        var box = Assert.Single(layout.Parts);
        Assert.Equal("Trailhead 28L Pack", box.Name);
        Assert.Equal(256, box.Anchor.X, 1e-9);
        Assert.True(box.Box.Width > 256, "The product box fills most of the sheet.");
        AssertWellFormed(layout);
    }

    [Fact]
    public void ExplodedLevelsFollowTheOrderHintWithEqualGaps()
    {
        const string xml = """<p><part name="a" order="3"/><part name="b" order="1"/><part name="c" order="2"/><part name="d" order="4"/></p>""";
        var layout = LayoutPlanner.Plan(PartList.Parse(xml), LayoutKind.Exploded, 512, 1024);
        Assert.Equal(["b", "c", "a", "d"], layout.Parts.OrderBy(p => p.Box.Y).Select(p => p.Name));
        var gaps = layout.Parts.OrderBy(p => p.Box.Y).Zip(layout.Parts.OrderBy(p => p.Box.Y).Skip(1), (u, v) => v.Box.Y - u.Box.Bottom).ToList();
        Assert.All(gaps, g => Assert.Equal(gaps[0], g, 1e-9));
        Assert.Single(layout.Parts.Select(p => p.Anchor.X).Distinct()); // one vertical axis
    }

    [Fact]
    public void DiagonalLevelsStepDownAndRight()
    {
        var layout = LayoutPlanner.Plan(PartList.Parse("<p><a/><b/><c/></p>"), LayoutKind.Exploded, 1024, 1024, ExplodedAxis.Diagonal);
        var xs = layout.Parts.Select(p => p.Box.X).ToList();
        var ys = layout.Parts.Select(p => p.Box.Y).ToList();
        Assert.True(xs[0] < xs[1] && xs[1] < xs[2] && ys[0] < ys[1] && ys[1] < ys[2]);
    }

    [Fact]
    public void KnollingPutsLargerPartsFirstAndGivesThemMoreArea()
    {
        var layout = LayoutPlanner.Plan(PartList.Parse("""<p><part name="screw" size="small"/><part name="case" size="large"/><part name="pcb"/></p>"""), LayoutKind.Knolling, 1024, 1024);
        Assert.Equal(["case", "pcb", "screw"], layout.Parts.Select(p => p.Name));
        Assert.True(layout.Parts[0].Box.Width > layout.Parts[1].Box.Width && layout.Parts[1].Box.Width > layout.Parts[2].Box.Width);
    }

    [Fact]
    public void ManyCopiesShareOneBoxThatCarriesTheCount()
    {
        var layout = LayoutPlanner.Plan(PartList.Parse("""<k><part name="switch" count="84"/><part name="case"/></k>"""), LayoutKind.Grid, 512, 512);
        var switches = Assert.Single(layout.Parts, p => p.Name == "switch");
        Assert.Equal((0, 84), (switches.Instance, switches.Count));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TheLayoutIsDeterministic(LayoutKind kind, ExplodedAxis axis)
    {
        string xml = Catalogues.Generated(12, seed: 7);
        Assert.Equal(LayoutPlanner.Plan(PartList.Parse(xml), kind, 1024, 768, axis).ToJson(),
                     LayoutPlanner.Plan(PartList.Parse(xml), kind, 1024, 768, axis).ToJson());
    }

    // Property test over generated catalogues: 1–40 parts, both sizes, every kind. A plan never overlaps; a
    // refusal is honest: the first "Fitting" parts do fit, one more does not.
    [Theory]
    [InlineData(512)]
    [InlineData(1024)]
    public void GeneratedCataloguesNeverOverlap(int size)
    {
        for (int parts = 1; parts <= 40; parts++)
        {
            var list = PartList.Parse(Catalogues.Generated(parts, seed: parts * 31 + size));
            foreach (var (kind, axis) in new[] { (LayoutKind.Knolling, ExplodedAxis.Vertical), (LayoutKind.Grid, ExplodedAxis.Vertical),
                                                 (LayoutKind.Exploded, ExplodedAxis.Vertical), (LayoutKind.Exploded, ExplodedAxis.Diagonal) })
            {
                try
                {
                    var layout = LayoutPlanner.Plan(list, kind, size, size, axis);
                    Assert.Equal(list.Parts.Sum(p => p.Count <= LayoutPlanner.MaxCopyBoxes ? p.Count : 1), layout.Parts.Count);
                    AssertWellFormed(layout);
                }
                catch (LayoutCapacityException e)
                {
                    AssertRefusalIsHonest(list, kind, axis, size, e);
                }
            }
        }
    }

    internal static void AssertRefusalIsHonest(PartList list, LayoutKind kind, ExplodedAxis axis, int size, LayoutCapacityException e)
    {
        Assert.Equal(list.Parts.Count, e.Parts);
        Assert.Contains($"fits the first {e.Fitting} with legible labels", e.Message);
        Assert.InRange(e.Fitting, 0, e.Parts - 1);
        if (e.Fitting > 0) AssertWellFormed(LayoutPlanner.Plan(list with { Parts = list.Parts.Take(e.Fitting).ToList() }, kind, size, size, axis));
        Assert.Throws<LayoutCapacityException>(() => LayoutPlanner.Plan(list with { Parts = list.Parts.Take(e.Fitting + 1).ToList() }, kind, size, size, axis));
    }

    [Fact]
    public void TooManyPartsIsAnErrorSayingHowManyFit()
    {
        string xml = "<p>" + string.Concat(Enumerable.Range(1, 200).Select(i => $"<part name=\"part {i}\"/>")) + "</p>";
        var list = PartList.Parse(xml);
        var e = Assert.Throws<LayoutCapacityException>(() => LayoutPlanner.Plan(list, LayoutKind.Knolling, 512, 512));
        Assert.StartsWith("Parts lists 200 parts (200 boxes); a Knolling layout at 512x512 fits the first", e.Message);
        AssertRefusalIsHonest(list, LayoutKind.Knolling, ExplodedAxis.Vertical, 512, e);
    }

    [Fact]
    public void EveryExampleRowIsLaidOutInEveryKind()
    {
        foreach (var (name, parts) in Catalogues.ExampleRows())
            foreach (var kind in new[] { LayoutKind.Knolling, LayoutKind.Grid, LayoutKind.Exploded })
                foreach (int size in new[] { 256, 512, 1024 })
                    AssertWellFormed(LayoutPlanner.Plan(PartList.Parse(parts, name), kind, size, size));
    }

    [Fact]
    public void JsonRoundTripsAndScalingScalesEveryBox()
    {
        var layout = LayoutPlanner.Plan(PartList.Parse(Drone), LayoutKind.Exploded, 512, 512);
        Assert.Equal(layout.ToJson(), PartLayout.FromJson(layout.ToJson()).ToJson());
        var doubled = layout.ScaledTo(1024, 1024);
        Assert.Equal(2 * layout.TextHeight, doubled.TextHeight, 1e-9);
        for (int i = 0; i < layout.Parts.Count; i++)
        {
            Assert.Equal(2 * layout.Parts[i].Anchor.X, doubled.Parts[i].Anchor.X, 1e-9);
            Assert.Equal(2 * layout.Parts[i].Box.Height, doubled.Parts[i].Box.Height, 1e-9);
        }
        Assert.Same(layout, layout.ScaledTo(512, 512));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{\"kind\":\"Grid\"}")]
    [InlineData("[1,2]")]
    public void DamagedJsonIsAFormatError(string json) => Assert.Throws<FormatException>(() => PartLayout.FromJson(json));

    [Theory]
    [InlineData("""<p><part name="x" count="0"/></p>""", "count=\"0\"")]
    [InlineData("""<p><part name="x" count="-3"/></p>""", "count=\"-3\"")]
    [InlineData("""<p><part name="x" count="four"/></p>""", "count=\"four\"")]
    [InlineData("""<p><part name="x"/><part name=" "/></p>""", "part 2 (<part> on line 1) has an empty name")]
    [InlineData("""<p><part name="x" size="huge"/></p>""", "size=\"huge\"; use small, medium or large")]
    [InlineData("""<p><part name="x" scale="0"/></p>""", "scale=\"0\"")]
    [InlineData("""<p><part name="x" order="first"/></p>""", "order=\"first\"")]
    public void BadHintsAreErrorsNamingThePartAndTheFix(string xml, string expected) =>
        Assert.Contains(expected, Assert.Throws<PartListException>(() => PartList.Parse(xml)).Message);

    [Fact]
    public void UnknownAttributesAreDescriptiveWordsAndLayoutHintsStayOutOfThePrompt()
    {
        const string xml = """<p><part name="lens" coating="anti-glare" order="2" scale="1.5" size="small"/></p>""";
        var part = Assert.Single(PartList.Parse(xml).Parts);
        Assert.Equal(1.5, part.Scale);
        Assert.Equal(["coating", "size"], part.Attributes.Select(a => a.Key));
        Assert.Equal("p, anti-glare small lens", StructuredPrompt.Flatten(xml));
    }

    [Fact]
    public void MoreThanTheMaximumNumberOfPartsIsAnError()
    {
        string xml = "<p>" + string.Concat(Enumerable.Repeat("<part name=\"x\"/>", PartList.MaxParts + 1)) + "</p>";
        Assert.Contains($"at most {PartList.MaxParts}", Assert.Throws<PartListException>(() => PartList.Parse(xml)).Message);
    }
}
