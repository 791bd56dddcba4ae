using System.Management.Automation;
using NanoBanana.PowerShell.Tests.Hosting;

namespace NanoBanana.PowerShell.Tests;

/// <summary>Optimize-Sharpness as users drive it, and through it the contract every image cmdlet shares.</summary>
public class OptimizeSharpnessCommandTests
{
    [Fact]
    public void PathStringsFromThePipelineStayInMemoryUntilAskedToWrite()
    {
        using var dir = new TempDirectory();
        TestImages.WritePng(dir.File("a.png"), 17, 13);
        using var ps = new PowerShellSession(dir.Path);

        var result = ps.Run("'a.png' | Optimize-Sharpness -Factor 2").AssertSuccess();

        var image = result.Output.Single();
        Assert.Equal("NanoBanana.RenderedImage", image.BaseObject.GetType().FullName);
        Assert.Equal(17, (int)image.Properties["Width"].Value);
        Assert.Null(image.Properties["Path"].Value);
        Assert.Equal(new[] { "a.png" }, dir.Files());
        Assert.True((bool)ps.Run("$x = 'a.png' | Optimize-Sharpness; $x -is [NanoBanana.RenderedImage]").AssertSuccess().Output.Single().BaseObject);
    }

    [Fact]
    public void WildcardsLiteralPathsFileInfoAndPSPathObjectsAllBind()
    {
        using var dir = new TempDirectory();
        TestImages.WritePng(dir.File("one.png"), 8, 8);
        TestImages.WritePng(dir.File("two.png"), 9, 9);
        TestImages.WritePng(dir.File("x[1].png"), 5, 3);
        using var ps = new PowerShellSession(dir.Path);

        Assert.Equal(2, ps.Run("Optimize-Sharpness -Path ./*o*.png").AssertSuccess().Output.Count);
        Assert.Equal(5, (int)ps.Run("Optimize-Sharpness -LiteralPath 'x[1].png'").AssertSuccess().Output.Single().Properties["Width"].Value);
        Assert.Equal(9, (int)ps.Run($"[IO.FileInfo]::new('{dir.File("two.png")}') | Optimize-Sharpness").AssertSuccess().Output.Single().Properties["Width"].Value);
        Assert.Equal(8, (int)ps.Run($"[pscustomobject]@{{ PSPath = 'Microsoft.PowerShell.Core\\FileSystem::{dir.File("one.png")}' }} | Optimize-Sharpness").AssertSuccess().Output.Single().Properties["Width"].Value);
        Assert.Equal(8, (int)ps.Run("Optimize-Sharpness -Path Temp:/" + Path.GetRelativePath(Path.GetTempPath(), dir.File("one.png"))).AssertSuccess().Output.Single().Properties["Width"].Value);
    }

    [Fact]
    public void ResultsChainBetweenCmdletsAndAreWrittenAtomicallyOnlyWhenAsked()
    {
        using var dir = new TempDirectory();
        TestImages.WritePng(dir.File("lamp.png"), 12, 10, alpha: true);
        using var ps = new PowerShellSession(dir.Path);

        var written = ps.Run("Optimize-Sharpness lamp.png -Factor 1 | Optimize-Sharpness -Factor 1 -OutputDirectory out").AssertSuccess().Output.Single();

        string path = (string)written.Properties["Path"].Value;
        Assert.Equal(Path.Combine(dir.Path, "out", "lamp.png"), path);
        Assert.Equal(TestImages.Rgba(dir.File("lamp.png")), TestImages.Rgba(path));
        Assert.Equal(new[] { "lamp.png", Path.Combine("out", "lamp.png") }, dir.Files());
    }

    [Fact]
    public void ExistingFilesAreKeptWithoutForceAndWhatIfWritesNothing()
    {
        using var dir = new TempDirectory();
        TestImages.WritePng(dir.File("in.png"), 6, 6);
        File.WriteAllText(dir.File("taken.png"), "keep me");
        using var ps = new PowerShellSession(dir.Path);

        var refused = ps.Run("Optimize-Sharpness in.png -OutFile taken.png");
        var error = Assert.Single(refused.Errors);
        Assert.StartsWith("OutputExists,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceExists, error.CategoryInfo.Category);
        Assert.Contains("-Force", error.ToString());
        Assert.Equal("keep me", File.ReadAllText(dir.File("taken.png")));

        ps.Run("Optimize-Sharpness in.png -OutFile new.png -WhatIf").AssertSuccess();
        Assert.False(File.Exists(dir.File("new.png")));

        ps.Run("Optimize-Sharpness in.png -OutFile taken.png -Force").AssertSuccess();
        Assert.Equal((6, 6), TestImages.Size(dir.File("taken.png")));
        Assert.Equal(new[] { "in.png", "taken.png" }, dir.Files());
    }

    [Fact]
    public void BadItemsGiveNamedErrorsAndTheRestOfThePipelineGoesOn()
    {
        using var dir = new TempDirectory();
        TestImages.WritePng(dir.File("good1.png"), 4, 4);
        TestImages.WritePng(dir.File("good2.png"), 4, 4);
        File.WriteAllText(dir.File("notes.png"), "this is text, not a PNG");
        using var ps = new PowerShellSession(dir.Path);

        var result = ps.Run("'good1.png', 'missing.png', 'notes.png', 'good2.png' | Optimize-Sharpness -OutputDirectory out");

        Assert.Equal(2, result.Output.Count);
        Assert.Collection(result.Errors,
            e =>
            {
                Assert.StartsWith("ImageNotFound,", e.FullyQualifiedErrorId);
                Assert.Contains("missing.png", e.ToString());
            },
            e =>
            {
                Assert.StartsWith("ImageUnreadable,", e.FullyQualifiedErrorId);
                Assert.Equal(ErrorCategory.InvalidData, e.CategoryInfo.Category);
                Assert.EndsWith("notes.png", e.TargetObject?.ToString());
            });
        Assert.Equal(new[] { "good1.png", "good2.png", "notes.png", Path.Combine("out", "good1.png"), Path.Combine("out", "good2.png") }, dir.Files());
    }

    [Fact]
    public void NegativeFactorIsAnErrorPerImageNamingTheFix()
    {
        using var dir = new TempDirectory();
        TestImages.WritePng(dir.File("a.png"), 4, 4);
        using var ps = new PowerShellSession(dir.Path);

        var result = ps.Run("'a.png', 'a.png' | Optimize-Sharpness -Factor -0.5 -OutputDirectory out");

        Assert.Empty(result.Output);
        Assert.Equal(2, result.Errors.Count);
        Assert.All(result.Errors, e =>
        {
            Assert.StartsWith("InvalidArgument,", e.FullyQualifiedErrorId);
            Assert.Contains("Factor", e.ToString());
        });
        Assert.Equal(new[] { "a.png" }, dir.Files());
    }

    [Fact]
    public void UnwritableOutputFolderIsAWriteErrorAndLeavesNothingBehind()
    {
        using var dir = new TempDirectory();
        TestImages.WritePng(dir.File("a.png"), 4, 4);
        File.WriteAllText(dir.File("blocker"), "a file where a folder should be");
        using var ps = new PowerShellSession(dir.Path);

        var result = ps.Run("Optimize-Sharpness a.png -OutputDirectory blocker/sub");

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("OutputNotWritable,", error.FullyQualifiedErrorId);
        Assert.Equal(new[] { "a.png", "blocker" }, dir.Files());
    }

    [Fact]
    public void OutFileRefusesASecondImage()
    {
        using var dir = new TempDirectory();
        TestImages.WritePng(dir.File("a.png"), 4, 4);
        TestImages.WritePng(dir.File("b.png"), 4, 4);
        using var ps = new PowerShellSession(dir.Path);

        var result = ps.Run("'a.png', 'b.png' | Optimize-Sharpness -OutFile one.png");

        Assert.Single(result.Output);
        Assert.StartsWith("OutFileWithSeveralImages,", Assert.Single(result.Errors).FullyQualifiedErrorId);
        Assert.Equal(new[] { "a.png", "b.png", "one.png" }, dir.Files());
    }
}
