using NanoBanana.PowerShell.Tests.Hosting;

namespace NanoBanana.PowerShell.Tests;

public class UpscaleCommandTests
{
    private static readonly string ShippedModel = Path.Combine(Path.GetDirectoryName(RepositoryPaths.ModuleManifest)!, "Models", "realesrgan-x4fast.onnx");

    [Fact]
    public void RowsOfFilesUpscaleTwiceAndSharpenWithMetadataIntact()
    {
        Assert.True(File.Exists(ShippedModel), "The build did not put realesrgan-x4fast.onnx in the module: see the NanoBanana.UpscaleModels build warnings (npm).");
        using var dir = new TempDirectory();
        TestImages.WritePng(dir.File("drone.png"), 24, 16);
        TestImages.WritePng(dir.File("lamp.png"), 20, 20, alpha: true);
        using var ps = new PowerShellSession(dir.Path);
        // Stamp generation parameters first, as a render would, so we can see them survive.
        ps.Run("'drone.png', 'lamp.png' | Optimize-Sharpness -Factor 1 -OutputDirectory in").AssertSuccess();

        var result = ps.Run("""
            @([pscustomobject]@{ Path = 'in/drone.png' }, [pscustomobject]@{ Path = 'in/lamp.png' }) |
                Invoke-Upscale -Scale 2 -TileSize 16 |
                Optimize-Sharpness -Factor 2 -OutputDirectory out
            """).AssertSuccess();

        Assert.Equal(2, result.Output.Count);
        Assert.Equal((48, 32), TestImages.Size(dir.File("out/drone.png")));
        Assert.Equal((40, 40), TestImages.Size(dir.File("out/lamp.png")));
        var extra = (System.Collections.Specialized.OrderedDictionary)ps.Run("Get-RenderMetadata out/drone.png").AssertSuccess().Output.Single().Properties["Extra"].Value;
        Assert.Equal("realesrgan-x4fast", extra["Upscaler"]);
        Assert.Equal("2", extra["Upscale"]);
        Assert.Equal("2", extra["Sharpness"]);
        Assert.Contains(result.Progress, p => p.Activity.Contains("realesrgan-x4fast") && p.PercentComplete == 100);
    }

    [Fact]
    public void UnknownModelStopsBeforeAnyImageAndNamesTheChoices()
    {
        using var dir = new TempDirectory();
        TestImages.WritePng(dir.File("a.png"), 8, 8);
        using var ps = new PowerShellSession(dir.Path);

        var error = Assert.Single(ps.Run("Invoke-Upscale a.png -Model no-such-model").Errors);

        Assert.StartsWith("ModelNotFound,", error.FullyQualifiedErrorId);
        Assert.Contains("realesrgan-x4fast", error.ToString());
    }

    [Fact]
    public void ImportRefusesBrokenModelsWithTheLayerNamed()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("bad.param"), "7767517\n2 2\nInput in 0 1 data\nSoftmax sm 1 1 data out\n");
        File.WriteAllBytes(dir.File("bad.bin"), Array.Empty<byte>());
        using var ps = new PowerShellSession(dir.Path);

        var invalid = Assert.Single(ps.Run("Import-UpscaleModel bad.param bad.bin -Name nb-test-bad").Errors);
        Assert.StartsWith("ModelInvalid,", invalid.FullyQualifiedErrorId);
        Assert.Contains("'sm'", invalid.ToString());

        var missing = Assert.Single(ps.Run("Import-UpscaleModel nothing.param nothing.bin").Errors);
        Assert.StartsWith("ModelNotFound,", missing.FullyQualifiedErrorId);
    }

    [Theory]
    [InlineData("Invoke-Upscale a.png -Scale 7", "Scale")]
    [InlineData("Invoke-Upscale a.png -TileSize 1", "TileSize")]
    [InlineData("Invoke-Upscale a.png -Device Gpu", "Device")]
    [InlineData("Optimize-Sharpness a.png -Factor sharp", "Factor")]
    public void GarbageArgumentsAreRefusedNamingTheParameterAndWriteNothing(string script, string parameter)
    {
        using var dir = new TempDirectory();
        TestImages.WritePng(dir.File("a.png"), 8, 8);
        using var ps = new PowerShellSession(dir.Path);

        var result = ps.Run(script + " -OutputDirectory out");

        var error = Assert.Single(result.Errors);
        Assert.Contains(parameter, error.ToString());
        Assert.Empty(result.Output);
        Assert.Equal(new[] { "a.png" }, dir.Files());
    }
}
