using NanoBanana.PowerShell.Tests.Hosting;

namespace NanoBanana.PowerShell.Tests;

public class CompareAndMetadataCommandTests
{
    [Fact]
    public void CompareReportsSimilarityForPipedImagesAndWritesADiff()
    {
        using var dir = new TempDirectory();
        TestImages.WritePng(dir.File("golden.png"), 32, 24, seed: 1);
        TestImages.WritePng(dir.File("same.png"), 32, 24, seed: 1);
        TestImages.WritePng(dir.File("other.png"), 32, 24, seed: 2);
        using var ps = new PowerShellSession(dir.Path);

        var results = ps.Run("'same.png', 'other.png' | Compare-RenderImage -ReferencePath golden.png").AssertSuccess().Output;
        Assert.Equal(2, results.Count);
        Assert.Equal(1.0, (double)results[0].Properties["Ssim"].Value, 1e-12);
        Assert.Equal(double.PositiveInfinity, (double)results[0].Properties["Psnr"].Value);
        Assert.True((double)results[1].Properties["Ssim"].Value < 0.99);
        Assert.True((int)results[1].Properties["MaxDifference"].Value > 0);

        var piped = ps.Run("Optimize-Sharpness same.png -Factor 1 | Compare-RenderImage golden.png -DiffImagePath diff.png").AssertSuccess().Output.Single();
        Assert.Equal(0, (int)piped.Properties["MaxDifference"].Value);
        Assert.Equal((32, 24), TestImages.Size(dir.File("diff.png")));
    }

    [Fact]
    public void CompareNamesSizeMismatchesAndMissingReferences()
    {
        using var dir = new TempDirectory();
        TestImages.WritePng(dir.File("golden.png"), 32, 24);
        TestImages.WritePng(dir.File("small.png"), 16, 16);
        using var ps = new PowerShellSession(dir.Path);

        var mismatch = Assert.Single(ps.Run("Compare-RenderImage golden.png small.png").Errors);
        Assert.StartsWith("ImageSizeMismatch,", mismatch.FullyQualifiedErrorId);
        Assert.Contains("32x24", mismatch.ToString());

        var missing = Assert.Single(ps.Run("Compare-RenderImage nothing.png small.png").Errors);
        Assert.StartsWith("ImageNotFound,", missing.FullyQualifiedErrorId);
        Assert.Contains("nothing.png", missing.ToString());
    }

    [Fact]
    public void MetadataSurvivesTheImagePipelineAndIsReadBack()
    {
        using var dir = new TempDirectory();
        TestImages.WritePng(dir.File("plain.png"), 8, 8);
        using var ps = new PowerShellSession(dir.Path);

        ps.Run("Optimize-Sharpness plain.png -Factor 2 | Optimize-Sharpness -Factor 0.5 -OutFile done.png").AssertSuccess();
        var metadata = ps.Run("Get-RenderMetadata -LiteralPath done.png").AssertSuccess().Output.Single();

        var extra = (System.Collections.Specialized.OrderedDictionary)metadata.Properties["Extra"].Value;
        Assert.Equal("0.5", extra["Sharpness"]);
        Assert.EndsWith("done.png", (string)metadata.Properties["Path"].Value);
        Assert.Contains("Sharpness: 0.5", (string)metadata.Properties["Text"].Value);
    }

    [Fact]
    public void MetadataOfAGarbageFileIsANamedErrorAndTheOthersAreStillRead()
    {
        using var dir = new TempDirectory();
        TestImages.WritePng(dir.File("good.png"), 4, 4);
        File.WriteAllText(dir.File("junk.png"), "not a png");
        using var ps = new PowerShellSession(dir.Path);

        var result = ps.Run("'junk.png', 'good.png' | Get-RenderMetadata");

        Assert.Single(result.Output);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("ImageUnreadable,", error.FullyQualifiedErrorId);
        Assert.EndsWith("junk.png", error.TargetObject?.ToString());
    }

    [Fact]
    public void AnUnwritableDiffImagePathIsAWriteErrorAndLeavesNothingBehind()
    {
        using var dir = new TempDirectory();
        TestImages.WritePng(dir.File("golden.png"), 8, 8);
        File.WriteAllText(dir.File("blocker"), "a file where a folder should be");
        using var ps = new PowerShellSession(dir.Path);

        var error = Assert.Single(ps.Run("Compare-RenderImage golden.png golden.png -DiffImagePath blocker/diff.png").Errors);

        Assert.StartsWith("OutputNotWritable,", error.FullyQualifiedErrorId);
        Assert.Equal(new[] { "blocker", "golden.png" }, dir.Files());
    }
}
