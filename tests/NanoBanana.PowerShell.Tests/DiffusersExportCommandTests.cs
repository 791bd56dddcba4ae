using NanoBanana.PowerShell.Tests.Hosting;

namespace NanoBanana.PowerShell.Tests;

/// <summary>
/// The cmdlets on the Optimum 1.17.1 exports committed with the engine tests (tests/NanoBanana.Engine.Tests/Parity/Fixtures,
/// see its README.md), as a user who exported a model and rendered it with diffusers would run them.
/// </summary>
public sealed class DiffusersExportCommandTests
{
    static readonly string Fixtures = Path.Combine(RepositoryPaths.Root, "tests", "NanoBanana.Engine.Tests", "Parity", "Fixtures");

    // Case F of cases.json: the 87-token prompt diffusers truncated to 77 tokens.
    const string LongPrompt = "exploded view of a camera drone, all parts laid flat: four carbon fibre propellers, four brushless motors, " +
        "a magnesium gimbal with a three axis stabiliser, a 4k camera module, a lithium polymer battery pack, " +
        "a flight controller board with gps antenna, landing gear, screws, washers, ribbon cables and a printed " +
        "user manual, studio lighting, white background, high detail, sharp focus, product photography";

    [Fact]
    public void The_sdxl_export_as_Optimum_wrote_it_passes_Test_NanoBananaModel_and_says_what_it_is()
    {
        using var ps = new PowerShellSession();
        var checks = ps.Run("Test-NanoBananaModel $m", new Dictionary<string, object?> { ["m"] = Path.Combine(Fixtures, "sdxl-tiny") }).AssertSuccess().Output;
        Assert.DoesNotContain(checks, c => (string)c.Properties["Status"].Value == "Failed");
        var layout = Assert.Single(checks, c => (string)c.Properties["Check"].Value == "Layout");
        Assert.StartsWith("Recognised: SDXL text-to-image", (string)layout.Properties["Detail"].Value);
        Assert.Contains("StableDiffusionXLImg2ImgPipeline", (string)layout.Properties["Detail"].Value);
    }

    [Fact]
    public void PromptOverflow_Truncate_renders_what_diffusers_rendered_and_warns_of_the_dropped_words()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);
        var variables = new Dictionary<string, object?> { ["m"] = Path.Combine(Fixtures, "sdxl-tiny"), ["p"] = LongPrompt, ["ref"] = Path.Combine(Fixtures, "ref", "F.png") };
        var result = ps.Run("""
            New-ExplodedView -Prompt $p -NegativePrompt blurry -Style None -Seed 42 -Steps 6 -CfgScale 5 -Width 128 -Height 128 `
                -Scheduler Euler -PromptOverflow Truncate -ModelPath $m -OutFile f.png | Out-Null
            Compare-RenderImage -ReferencePath $ref -DifferencePath f.png
            (Get-RenderMetadata -LiteralPath f.png).Text
            """, variables).AssertSuccess();
        var warning = Assert.Single(result.Warnings);
        Assert.Contains("[\"background, high detail, sharp focus, product photography\"]", warning.Message);
        Assert.InRange((int)result.Output[0].Properties["MaxDifference"].Value, 0, 2);
        Assert.Contains("Prompt overflow: Truncate", (string)result.Output[1].BaseObject);
    }

    [Fact]
    public void A_PromptOverflow_that_is_not_a_policy_fails_its_row_naming_the_field()
    {
        using var ps = new PowerShellSession();
        var result = ps.Run("[pscustomobject]@{ Prompt = 'drone'; PromptOverflow = 'Wrap'; Steps = '1' } | New-ExplodedView -ModelPath $m",
            new Dictionary<string, object?> { ["m"] = Path.Combine(Fixtures, "sd15-tiny") });
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("InvalidRenderRow,", error.FullyQualifiedErrorId);
        Assert.Equal("PromptOverflow", Assert.IsAssignableFrom<ArgumentException>(error.Exception).ParamName);
        Assert.Contains("Chunk or Truncate", error.ToString());
    }

    [Fact]
    public void A_missing_onnx_data_file_is_ModelInvalid_in_plain_words()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);
        ps.Run("$null = New-SyntheticModel -Path m -Seed 3").AssertSuccess();
        File.Delete(dir.File(Path.Combine("m", "unet", "model.onnx_data")));
        var result = ps.Run("New-ExplodedView -Prompt drone -ModelPath m -Steps 1 -Width 64 -Height 64");
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("ModelInvalid,", error.FullyQualifiedErrorId);
        Assert.Contains(Path.Combine("m", "unet", "model.onnx"), error.ToString());
        Assert.Contains("model.onnx_data", error.ToString());
        Assert.DoesNotContain("tensorprotoutils", error.ToString());
    }

    [Fact]
    public void New_SyntheticModel_builds_the_variants_and_refuses_one_its_architecture_lacks()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);
        var layout = ps.Run("New-SyntheticModel lcm -Variant LatentConsistency -Seed 1 | Test-NanoBananaModel | Where-Object Check -eq Layout").AssertSuccess().Output.Single();
        Assert.Equal("Passed", (string)layout.Properties["Status"].Value);
        Assert.Contains("latent consistency", (string)layout.Properties["Detail"].Value);

        var refused = ps.Run("New-SyntheticModel turbo -Variant Turbo -Architecture SD15");
        var error = Assert.Single(refused.Errors);
        Assert.StartsWith("InvalidArgument,", error.FullyQualifiedErrorId);
        Assert.Contains("choose that architecture or another variant", error.ToString());
        Assert.False(Directory.Exists(dir.File("turbo")));
        Assert.Empty(Directory.GetDirectories(dir.Path, ".turbo*"));

        var garbage = ps.Run("New-SyntheticModel x -Variant Bogus");
        string said = garbage.Terminating?.Message + string.Join(" ", garbage.Errors.Select(e => e.ToString()));
        Assert.Contains("Variant", said);
        Assert.Contains("Bogus", said);
        Assert.False(Directory.Exists(dir.File("x")));
    }
}
