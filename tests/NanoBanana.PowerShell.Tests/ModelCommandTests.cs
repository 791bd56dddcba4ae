using NanoBanana.PowerShell.Tests.Hosting;

namespace NanoBanana.PowerShell.Tests;

public class ModelCommandTests
{
    [Fact]
    public void NewSyntheticModelWritesAFolderThatTestNanoBananaModelPasses()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);

        var info = ps.Run("New-SyntheticModel -Path tiny -Architecture SD15 -Seed 3").AssertSuccess().Output.Single();
        Assert.Equal(Path.Combine(dir.Path, "tiny"), (string)info.Properties["Path"].Value);
        Assert.True((long)info.Properties["ParameterCount"].Value > 0);
        var parameters = (System.Collections.IDictionary)info.Properties["Parameters"].Value;
        Assert.True(parameters.Contains("unet"));

        var checks = ps.Run("New-SyntheticModel -Path tiny -Architecture SD15 -Seed 3 -Force | Test-NanoBananaModel").AssertSuccess().Output;
        Assert.NotEmpty(checks);
        Assert.All(checks, c => Assert.Equal("Passed", (string)c.Properties["Status"].Value));
        Assert.True(ps.Run("Test-NanoBananaModel tiny -Quiet").AssertSuccess().Single<bool>());
    }

    [Fact]
    public void NewSyntheticModelRefusesAnOccupiedFolderWithoutForce()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("taken"));
        File.WriteAllText(dir.File(Path.Combine("taken", "notes.txt")), "keep");
        using var ps = new PowerShellSession(dir.Path);

        var error = Assert.Single(ps.Run("New-SyntheticModel -Path taken").Errors);
        Assert.StartsWith("OutputExists,", error.FullyQualifiedErrorId);
        Assert.Contains("-Force", error.ToString());
        Assert.Single(dir.Files());
        Assert.Equal("keep", File.ReadAllText(dir.File(Path.Combine("taken", "notes.txt"))));
    }

    [Fact]
    public void TestNanoBananaModelReportsABrokenFolderWithoutThrowing()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);
        ps.Run("$null = New-SyntheticModel -Path broken").AssertSuccess();
        File.WriteAllText(dir.File(Path.Combine("broken", "tokenizer", "vocab.json")), "not json");

        var result = ps.Run("Test-NanoBananaModel broken").AssertSuccess();
        var failed = Assert.Single(result.Output, c => (string)c.Properties["Status"].Value == "Failed");
        Assert.Equal("tokenizer", failed.Properties["Component"].Value);
        Assert.False(ps.Run("Test-NanoBananaModel broken -Quiet").AssertSuccess().Single<bool>());
    }

    [Fact]
    public void OptimizeNanoBananaModelWritesQuantisedAndFusedCopiesThatPassTheChecksAndRefusesBadInput()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);

        var report = ps.Run("New-SyntheticModel -Path tiny -Architecture SD15 -Seed 3 | Optimize-NanoBananaModel -Destination tiny-int8 -Quantize Int8").AssertSuccess().Output.Single();
        Assert.Equal(Path.Combine(dir.Path, "tiny-int8"), (string)report.Properties["Destination"].Value);
        Assert.True(ps.Run("Test-NanoBananaModel tiny-int8 -Quiet").AssertSuccess().Single<bool>());

        var exists = Assert.Single(ps.Run("Optimize-NanoBananaModel tiny tiny-int8 -Quantize Int4").Errors);
        Assert.StartsWith("OutputExists,", exists.FullyQualifiedErrorId);
        var twice = Assert.Single(ps.Run("Optimize-NanoBananaModel tiny-int8 again -Quantize Int4").Errors);
        Assert.StartsWith("ModelInvalid,", twice.FullyQualifiedErrorId);
        Assert.Contains("already quantised", twice.ToString());
        var block = Assert.Single(ps.Run("Optimize-NanoBananaModel tiny odd -Quantize Int8 -BlockSize 24").Errors);
        Assert.StartsWith("InvalidArgument,", block.FullyQualifiedErrorId);
        // Int8Dynamic: the UNet multiplies in int8 (DynamicQuantizeMatMul), the text encoders stay weight-only; it has no block.
        var dynamic = ps.Run("Optimize-NanoBananaModel tiny tiny-int8dyn -Quantize Int8Dynamic").AssertSuccess().Output.Single();
        Assert.Equal("Dynamic", dynamic.Properties["Scheme"].Value.ToString());
        Assert.True(ps.Run("Test-NanoBananaModel tiny-int8dyn -Quiet").AssertSuccess().Single<bool>());
        var dynamicBlock = Assert.Single(ps.Run("Optimize-NanoBananaModel tiny odd -Quantize Int8Dynamic -BlockSize 64").Errors);
        Assert.StartsWith("InvalidArgument,", dynamicBlock.FullyQualifiedErrorId);
        Assert.Contains("without -BlockSize", dynamicBlock.ToString());
        var int5 = ps.Run("Optimize-NanoBananaModel tiny odd -Quantize Int5");
        Assert.True(int5.Errors.Count > 0 || int5.Terminating is not null, "-Quantize Int5 must be refused");
        Assert.False(Directory.Exists(dir.File("again")) || Directory.Exists(dir.File("odd")));

        // -FuseAttention alone, then quantising the fused copy; fusing twice and asking for nothing are refused by name.
        var fused = ps.Run("Optimize-NanoBananaModel tiny tiny-fused -FuseAttention").AssertSuccess().Output.Single();
        Assert.True((bool)fused.Properties["FusedAttention"].Value);
        Assert.True(ps.Run("Test-NanoBananaModel tiny-fused -Quiet").AssertSuccess().Single<bool>());
        ps.Run("Optimize-NanoBananaModel tiny-fused tiny-fused-int4 -Quantize Int4").AssertSuccess();
        var fusedTwice = Assert.Single(ps.Run("Optimize-NanoBananaModel tiny-fused-int4 again -FuseAttention").Errors);
        Assert.StartsWith("ModelInvalid,", fusedTwice.FullyQualifiedErrorId);
        Assert.Contains("already has fused attention", fusedTwice.ToString());
        var nothing = Assert.Single(ps.Run("Optimize-NanoBananaModel tiny none").Errors);
        Assert.StartsWith("InvalidArgument,", nothing.FullyQualifiedErrorId);
        Assert.Contains("-FuseAttention", nothing.ToString());
        Assert.False(Directory.Exists(dir.File("again")) || Directory.Exists(dir.File("none")));
    }
}
