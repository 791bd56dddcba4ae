using NanoBanana.Engine.Tests.Synthetic;
using NanoBanana.Pipeline;
using NanoBanana.Runtime;

namespace NanoBanana.Engine.Tests.Engine;

public sealed class EngineSessionTests(SyntheticModels models) : IClassFixture<SyntheticModels>, IDisposable
{
    readonly string _home = Directory.CreateTempSubdirectory("nb-engine-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    NanoBananaEngine Engine() => new(new EngineOptions { UserDataDirectory = _home });

    static TextToImageRequest Request(long seed = 3) => new() { Prompt = "knolling of a drill", Seed = seed, Steps = 3, Width = 64, Height = 64 };

    [Fact]
    public void Every_memory_mode_renders_the_same_pixels()
    {
        using var engine = Engine();
        var full = engine.Render(models.Xl, Request());
        Assert.NotNull(full.PeakMemoryBytes);
        foreach (var mode in new[] { MemoryMode.Balanced, MemoryMode.Low })
        {
            var info = engine.OpenSession(new EngineSessionOptions { ModelPath = models.Xl, MemoryMode = mode, BudgetBytes = 400L << 20 });
            Assert.Equal(ExecutionDevice.Cpu, info.Device);
            var image = engine.Render(models.Xl, Request());
            int maxDiff = full.Pixels.Zip(image.Pixels, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(maxDiff <= 1, $"{mode}: max pixel difference {maxDiff}");
            var session = engine.GetSessionInfo();
            Assert.Equal(mode, session.MemoryMode);
            Assert.True(session.SegmentCount >= 1);
        }
    }

    [Fact]
    public void Clearing_the_cache_returns_resident_bytes_to_zero_and_the_next_render_reloads()
    {
        using var engine = Engine();
        engine.Render(models.Sd15, Request());
        Assert.True(engine.GetSessionInfo().ResidentBytes > 0);
        engine.ClearCache();
        Assert.Equal(0, engine.GetSessionInfo().ResidentBytes);
        engine.Render(models.Sd15, Request());
        Assert.Equal(2, engine.LoadCounts(models.Sd15)[Path.Combine("unet", "model.onnx")]);
    }

    [Fact]
    public async Task Two_threads_rendering_at_once_both_succeed_with_the_images_they_would_get_alone()
    {
        using var engine = Engine();
        var alone = engine.Render(models.Xl, Request(5));
        var images = await Task.WhenAll(new[] { 5L, 6L }.Select(seed => Task.Run(() => engine.Render(models.Xl, Request(seed)))));
        Assert.Equal(alone.Pixels, images[0].Pixels);
        Assert.NotEqual(images[0].Pixels, images[1].Pixels);
    }

    [Fact]
    public void A_render_over_budget_is_refused_before_starting_and_names_a_mode_that_fits()
    {
        using var engine = Engine();
        var estimates = engine.EstimateMemory(models.Xl, 1024, 1024, 1, null);
        long full = estimates.Single(e => e.Mode == MemoryMode.Full).PeakBytes;
        long low = estimates.Single(e => e.Mode == MemoryMode.Low).PeakBytes;
        Assert.True(low < full, $"Low {low} should need less than Full {full}");
        // Low's own peak: under it Full would decode in tiles and still not fit.
        var tiledFull = engine.EstimateMemory(models.Xl, 1024, 1024, 1, low).Single(e => e.Mode == MemoryMode.Full);
        Assert.Equal(MemoryPolicy.VaeTileSizePixels, tiledFull.VaeTilePixels);
        Assert.False(tiledFull.Fits);
        engine.OpenSession(new EngineSessionOptions { MemoryMode = MemoryMode.Full, BudgetBytes = low });
        var error = Assert.Throws<RenderMemoryException>(() => engine.Render(models.Xl, Request() with { Width = 1024, Height = 1024 }));
        Assert.Contains("-MemoryMode", error.Message);
        Assert.Contains("MiB", error.Message);
        Assert.NotEqual(MemoryMode.Full, error.ModeThatFits);
        Assert.Equal(0, engine.GetSessionInfo().ResidentBytes); // nothing was loaded
    }
}
