using NanoBanana.Catalogue;
using NanoBanana.Layout;

namespace NanoBanana.Engine.Tests.Layout;

/// <summary>The layout cells of a catalogue row: defaults from the style, and garbage in each new column.</summary>
public class RenderRowLayoutTests
{
    const string Parts = """<product name="grinder"><part name="burr"/><part name="hopper"/></product>""";

    [Theory]
    [InlineData("ExplodedView", LayoutKind.Exploded)]
    [InlineData("Knolling", LayoutKind.Knolling)]
    [InlineData("TechnicalSchematic", LayoutKind.Grid)]
    public void TheStyleChoosesTheLayoutOfARowWithParts(string style, LayoutKind kind)
    {
        var request = new RenderRow { Prompt = "grinder", Parts = Parts, Style = style, Width = "512", Height = "512" }.ToRequest();
        Assert.Equal(kind, request.Layout!.Kind);
        Assert.Equal(2, request.Layout.Parts.Count);
    }

    [Fact]
    public void ARowWithoutPartsOrWithStyleNoneOrLayoutNoneRendersFreely()
    {
        Assert.Null(new RenderRow { Prompt = "pack", Style = "Knolling" }.ToRequest().Layout);
        Assert.Null(new RenderRow { Prompt = "grinder", Parts = Parts, Style = "None" }.ToRequest().Layout);
        Assert.Null(new RenderRow { Prompt = "grinder", Parts = Parts, Layout = "none" }.ToRequest().Layout);
        Assert.Single(new RenderRow { Prompt = "pack", Name = "Pack", Layout = "Grid", Width = "256", Height = "256" }.ToRequest().Layout!.Parts);
    }

    [Theory]
    [InlineData("Layout", "Spiral", "Layout is 'Spiral'; use None, Knolling, Exploded, Grid.")]
    [InlineData("LayoutAxis", "Sideways", "LayoutAxis is 'Sideways'; use Vertical or Diagonal.")]
    [InlineData("Background", "#GGGGGG", "Background '#GGGGGG' is not a colour")]
    [InlineData("TransparentBackground", "maybe", "TransparentBackground is 'maybe'; use true or false.")]
    [InlineData("Parts", "<p><part name=\"x\" count=\"-2\"/></p>", "count=\"-2\"")]
    [InlineData("RegionalPrompt", "sometimes", "RegionalPrompt is 'sometimes'; use On or Off.")]
    public void GarbageInALayoutCellNamesTheRowTheFieldAndTheFix(string field, string value, string expected)
    {
        var row = new RenderRow { Name = "Grinder", Prompt = "grinder", Parts = Parts, Width = "512", Height = "512" };
        row = field switch
        {
            "Layout" => row with { Layout = value },
            "LayoutAxis" => row with { LayoutAxis = value },
            "Background" => row with { Background = value },
            "TransparentBackground" => row with { TransparentBackground = value },
            "RegionalPrompt" => row with { RegionalPrompt = value },
            _ => row with { Parts = value },
        };
        var e = Assert.Throws<RenderRowException>(row.ToRequest);
        Assert.Equal(field, e.Field);
        Assert.StartsWith("Row 'Grinder': ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_laid_out_row_gives_each_part_its_own_words_over_its_own_box_unless_regional_prompts_are_off()
    {
        const string drone = """<product name="drone"><part name="propeller" material="carbon fibre" count="2"/><part name="battery" colour="grey"/></product>""";
        var request = new RenderRow { Prompt = "drone", Parts = drone, Width = "512", Height = "512" }.ToRequest();
        Assert.Equal(request.Layout!.Parts.Count, request.Regions.Count);
        Assert.Contains(request.Regions, r => r.Prompt == "2 carbon fibre propeller");
        Assert.Contains(request.Regions, r => r.Prompt == "grey battery");
        foreach (var (region, part) in request.Regions.Zip(request.Layout.Parts))
        {
            Assert.InRange(part.Box.X - region.X, 0, 1);
            Assert.InRange(region.X + region.Width - (part.Box.X + part.Box.Width), 0, 1);
            Assert.Null(region.Problem(512, 512));
        }
        Assert.Empty(new RenderRow { Prompt = "drone", Parts = drone, RegionalPrompt = "off", Width = "512", Height = "512" }.ToRequest().Regions);
        Assert.Empty(new RenderRow { Prompt = "drone", Width = "512", Height = "512" }.ToRequest().Regions);
    }
}
