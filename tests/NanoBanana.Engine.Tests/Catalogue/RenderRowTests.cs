using NanoBanana.Catalogue;
using NanoBanana.Pipeline;
using NanoBanana.Text;

namespace NanoBanana.Engine.Tests.Catalogue;

public class RenderRowTests
{
    [Fact]
    public void Blank_cells_take_the_defaults_and_a_seed_is_drawn_once()
    {
        var row = new RenderRow { Prompt = "drone", Seed = " ", Steps = "", CfgScale = null, Style = "", Scheduler = "" };

        var request = row.ToRequest();

        Assert.Equal(RenderRow.DefaultStyle, request.Style);
        Assert.Equal(StylePreset.ExplodedView, request.Style);
        Assert.Equal((30, 7.5, 1024, 1024), (request.Steps, request.CfgScale, request.Width, request.Height));
        Assert.Null(request.Scheduler);
        Assert.Equal(GuidanceBatching.Separate, request.GuidanceBatching);
        Assert.NotNull(request.Seed);
        Assert.Equal("", request.NegativePrompt);
    }

    [Fact]
    public void Cells_are_parsed_with_the_invariant_culture_and_names_case_insensitively()
    {
        var saved = Thread.CurrentThread.CurrentCulture;
        Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            var request = new RenderRow
            {
                Prompt = "drone", Seed = "-7", Steps = " 12 ", CfgScale = "4.5", Width = "512", Height = "768",
                Style = "knolling", Scheduler = "Euler a", GuidanceBatching = "combined", NegativePrompt = " blurry ",
            }.ToRequest();

            Assert.Equal((-7L, 12, 4.5, 512, 768), (request.Seed!.Value, request.Steps, request.CfgScale, request.Width, request.Height));
            Assert.Equal(StylePreset.Knolling, request.Style);
            Assert.Equal("Euler a", request.Scheduler);
            Assert.Equal(GuidanceBatching.Combined, request.GuidanceBatching);
            Assert.Equal("blurry", request.NegativePrompt);
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = saved;
        }
    }

    [Theory]
    [InlineData("Steps", "ten", "Row 'Lamp': Steps is 'ten'; use a whole number of denoising steps such as 30.")]
    [InlineData("Steps", "0", "Row 'Lamp': Steps is 0; use 1 to 1000 (30 is typical, 1–4 for Turbo/LCM models).")]
    [InlineData("Steps", "99999999999", "Row 'Lamp': Steps is '99999999999'; use a whole number of denoising steps such as 30.")]
    [InlineData("Seed", "1.5", "Row 'Lamp': Seed is '1.5'; use a whole number such as 42, or leave it empty for a random seed.")]
    [InlineData("CfgScale", "7,5", "Row 'Lamp': CfgScale is '7,5'; use a number such as 7.5 (with '.' as the decimal point).")]
    [InlineData("CfgScale", "NaN", "Row 'Lamp': CfgScale is 'NaN'; use a number such as 7.5 (with '.' as the decimal point).")]
    [InlineData("Width", "1000", "Row 'Lamp': Width is 1000; it must be a positive multiple of 64 (e.g. 1024).")]
    [InlineData("Height", "0", "Row 'Lamp': Height is 0; it must be a positive multiple of 64 (e.g. 64).")]
    [InlineData("Style", "2", "Row 'Lamp': Style is '2'; use one of: None, Knolling, ExplodedView, TechnicalSchematic.")]
    [InlineData("Style", "Watercolour", "Row 'Lamp': Style is 'Watercolour'; use one of: None, Knolling, ExplodedView, TechnicalSchematic.")]
    [InlineData("Scheduler", "Heun", "Row 'Lamp': Scheduler 'Heun' is unknown; use one of: Euler, EulerAncestral, DDIM, DpmPlusPlus2M, DpmPlusPlus2MKarras, Lcm.")]
    [InlineData("GuidanceBatching", "Both", "Row 'Lamp': GuidanceBatching is 'Both'; use Separate or Combined.")]
    [InlineData("Prompt", " ", "Row 'Lamp': Prompt is empty; describe the image to render.")]
    public void A_bad_cell_names_the_row_the_field_and_the_fix(string field, string value, string message)
    {
        var row = With(new RenderRow { Name = "Lamp", Prompt = "lamp" }, field, value);

        var e = Assert.Throws<RenderRowException>(row.ToRequest);

        Assert.Equal(field, e.Field);
        Assert.Equal(field, e.ParamName);
        Assert.Equal("'Lamp'", e.Row);
        Assert.Equal(message, e.Message);
    }

    static RenderRow With(RenderRow row, string field, string value) => field switch
    {
        "Steps" => row with { Steps = value },
        "Seed" => row with { Seed = value },
        "CfgScale" => row with { CfgScale = value },
        "Width" => row with { Width = value },
        "Height" => row with { Height = value },
        "Style" => row with { Style = value },
        "Scheduler" => row with { Scheduler = value },
        "GuidanceBatching" => row with { GuidanceBatching = value },
        "Prompt" => row with { Prompt = value },
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };

    [Fact]
    public void A_row_without_a_name_is_named_by_its_position()
    {
        var e = Assert.Throws<RenderRowException>(new RenderRow { Index = 4, Prompt = "" }.ToRequest);
        Assert.Equal("#4", e.Row);
        Assert.StartsWith("Row #4: Prompt is empty", e.Message);
    }

    [Fact]
    public void Parts_xml_is_flattened_after_the_description_and_bad_xml_names_the_parts_field()
    {
        var request = new RenderRow
        {
            Prompt = "quadcopter drone,",
            Parts = """<product name="drone"><part name="propeller" count="4" material="carbon fibre"/><battery colour="grey"/></product>""",
            Style = "None",
            Seed = "1",
        }.ToRequest();
        Assert.Equal("quadcopter drone, drone, 4 carbon fibre propeller, grey battery", request.Prompt);

        Assert.Equal("plain parts", new RenderRow { Parts = "plain parts", Seed = "1" }.ToRequest().Prompt);

        var e = Assert.Throws<RenderRowException>(new RenderRow { Name = "Drone", Prompt = "x", Parts = "<product><part></product>" }.ToRequest);
        Assert.Equal("Parts", e.Field);
        Assert.StartsWith("Row 'Drone': Parts: The structured prompt is not well-formed XML at line 1", e.Message);
    }

    [Fact]
    public void File_stems_are_the_sanitised_name_or_render_and_the_seed()
    {
        Assert.Equal("render-6006", new RenderRow { Name = " " }.FileStem(6006));
        Assert.Equal("_escape_Keyboard", new RenderRow { Name = "../escape/Keyboard" }.FileStem(1));
        Assert.Equal("render-42", new RenderRow { Name = ".." }.FileStem(42));
        Assert.Equal("AeroDrone X4", new RenderRow { Name = "AeroDrone X4" }.FileStem(1));
    }
}
