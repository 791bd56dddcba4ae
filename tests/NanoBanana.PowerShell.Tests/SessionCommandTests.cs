using NanoBanana.PowerShell.Tests.Hosting;

namespace NanoBanana.PowerShell.Tests;

/// <summary>The engine session is process-wide: these tests change it, so they never run beside other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EngineSessionCollection
{
    public const string Name = "Engine session";
}

[Collection(EngineSessionCollection.Name)]
public sealed class SessionCommandTests(TinyModelFolders models) : IClassFixture<TinyModelFolders>
{
    const string Row = "[pscustomobject]@{ Name = 'Drill'; Description = 'knolling of a drill'; Seed = '4'; Width = '64'; Height = '64'; Steps = '3' }";

    [Fact]
    public void EveryMemoryModeRendersTheSameImageAndTheSessionReportsItsSegments()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);
        var vars = new Dictionary<string, object?> { ["m"] = models.Xl };
        try
        {
            ps.Run("$null = Open-NanoBananaSession -ModelPath $m -MemoryMode Full", vars).AssertSuccess();
            ps.Run(Row + " | New-ExplodedView -OutFile full.png").AssertSuccess();
            var full = ps.Run("Get-NanoBananaSession").AssertSuccess().Output.Single();
            Assert.Equal("Full", full.Properties["MemoryMode"].Value);
            Assert.Equal(1, (int)full.Properties["SegmentCount"].Value);
            Assert.True((long)full.Properties["ResidentBytes"].Value > 0);

            foreach (string mode in new[] { "Balanced", "Low" })
            {
                var session = ps.Run($"Open-NanoBananaSession -ModelPath $m -MemoryMode {mode} -MemoryBudgetMB 1024", vars).AssertSuccess().Output.Single();
                Assert.Equal(mode, session.Properties["MemoryMode"].Value);
                Assert.Equal(1024L << 20, (long)session.Properties["BudgetBytes"].Value!);
                var image = ps.Run(Row + $" | New-ExplodedView -OutFile {mode}.png").AssertSuccess().Output.Single();
                Assert.True((long)image.Properties["PeakMemoryBytes"].Value! > 0);
                var info = ps.Run("Get-NanoBananaSession").AssertSuccess().Output.Single();
                Assert.True((int)info.Properties["SegmentCount"].Value >= 1);
                var loads = (System.Collections.Hashtable)info.Properties["LoadCounts"].Value;
                Assert.Contains(loads.Keys.Cast<string>(), k => k.Contains("segment"));
                // Cutting the graph changes ORT's fusions at the cuts, so float sums may round differently: ≤ 1 level.
                var comparison = ps.Run($"'{mode}.png' | Compare-RenderImage -ReferencePath full.png").AssertSuccess().Output.Single();
                Assert.InRange((int)comparison.Properties["MaxDifference"].Value, 0, 1);
            }

            ps.Run("Clear-NanoBananaCache").AssertSuccess();
            Assert.Equal(0L, (long)ps.Run("Get-NanoBananaSession").AssertSuccess().Output.Single().Properties["ResidentBytes"].Value);
        }
        finally
        {
            ps.Run("Close-NanoBananaSession").AssertSuccess();
        }
    }

    [Fact]
    public void ARenderOverBudgetFailsBeforeStartingAndNamesAModeThatFits()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);
        var vars = new Dictionary<string, object?> { ["m"] = models.Xl };
        try
        {
            var estimates = ps.Run("Get-RenderMemoryEstimate -ModelPath $m -Width 1024 -Height 1024", vars).AssertSuccess().Output;
            Assert.Equal(["Full", "Balanced", "Low"], estimates.Select(e => (string)e.Properties["MemoryMode"].Value));
            // Without a budget only Low decodes in tiles.
            Assert.Equal([null, null, 512], estimates.Select(e => (int?)e.Properties["VaeTilePixels"].Value));
            int budgetMB = (int)((long)estimates[2].Properties["EstimatedPeakBytes"].Value >> 20) + 1;
            // Under that budget Full would decode in tiles, and still not fit: the render is refused.
            var full = ps.Run($"Get-RenderMemoryEstimate -ModelPath $m -Width 1024 -Height 1024 -MemoryMode Full -MemoryBudgetMB {budgetMB}", vars).AssertSuccess().Output.Single();
            Assert.Equal(512, (int?)full.Properties["VaeTilePixels"].Value);
            Assert.False((bool)full.Properties["Fits"].Value);

            ps.Run($"$null = Open-NanoBananaSession -ModelPath $m -MemoryMode Full -MemoryBudgetMB {budgetMB}", vars).AssertSuccess();
            var result = ps.Run("[pscustomobject]@{ Name = 'Big'; Description = 'a drill'; Width = '1024'; Height = '1024'; Steps = '2' } | New-ExplodedView -OutputDirectory out");
            var error = Assert.Single(result.Errors);
            Assert.StartsWith("InsufficientMemory,", error.FullyQualifiedErrorId);
            Assert.Contains("-MemoryMode", error.ToString());
            Assert.Empty(dir.Files());
        }
        finally
        {
            ps.Run("Close-NanoBananaSession").AssertSuccess();
        }
    }

    /// <summary>-Device names a device to plan for; a row naming another is refused with the valid names, and the
    /// rows after it are still estimated.</summary>
    [Fact]
    public void AnEstimateForAnUnknownDeviceIsRefusedAndTheNextRowIsEstimated()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);
        var vars = new Dictionary<string, object?> { ["m"] = models.Xl };
        var result = ps.Run("@([pscustomobject]@{ Width = 512; Height = 512; Device = 'Banana' }, [pscustomobject]@{ Width = 512; Height = 512; Device = 'Cuda' }) | Get-RenderMemoryEstimate -ModelPath $m", vars);
        var error = Assert.Single(result.Errors);
        Assert.Contains("Banana", error.ToString());
        Assert.Contains("Cpu,Cuda", error.ToString().Replace(" ", ""));
        Assert.Equal(["Full", "Balanced", "Low"], result.Output.Select(e => (string)e.Properties["MemoryMode"].Value));
        // An fp32 model's weights cost their file bytes on either device.
        var cpu = ps.Run("Get-RenderMemoryEstimate -ModelPath $m -Width 512 -Height 512 -Device Cpu", vars).AssertSuccess().Output;
        Assert.Equal(cpu.Select(e => (long)e.Properties["EstimatedPeakBytes"].Value), result.Output.Select(e => (long)e.Properties["EstimatedPeakBytes"].Value));
    }

    [Fact]
    public async Task TwoRunspacesRenderingAtOnceBothSucceed()
    {
        using var dir = new TempDirectory();
        var vars = new Dictionary<string, object?> { ["m"] = models.Xl };
        var renders = new[] { "a", "b" }.Select(name => Task.Run(() =>
        {
            using var ps = new PowerShellSession(dir.Path);
            return ps.Run(Row.Replace("'Drill'", $"'{name}'") + " | New-ExplodedView -ModelPath $m -OutputDirectory out", vars);
        })).ToArray();
        foreach (var result in await Task.WhenAll(renders)) result.AssertSuccess();
        Assert.Equal([Path.Combine("out", "a.png"), Path.Combine("out", "b.png")], dir.Files());
    }
}
