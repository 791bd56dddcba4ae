using NanoBanana.Engine.Tests.Pipeline;
using NanoBanana.Models;
using NanoBanana.Pipeline;
using NanoBanana.Runtime;
using NanoBanana.Unet;

namespace NanoBanana.Engine.Tests.Engine;

/// <summary>The session as the single source of the model and the memory plan, planned for each render's own size.</summary>
public sealed class MemoryPolicyTests(TinyModels models) : IClassFixture<TinyModels>, IDisposable
{
    readonly string _home = Directory.CreateTempSubdirectory("nb-policy-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    NanoBananaEngine Engine() => new(new EngineOptions { UserDataDirectory = _home });

    static TextToImageRequest Request(int size) => new() { Prompt = "knolling of a drill", Seed = 1, Steps = 1, Width = size, Height = size };

    [Fact]
    public void A_small_model_under_a_tight_budget_is_cut_for_the_render_size_not_for_1024()
    {
        using var engine = Engine();
        engine.OpenSession(new EngineSessionOptions { ModelPath = models.SlowXl, MemoryMode = MemoryMode.Balanced, BudgetBytes = 256L << 20 });
        var pipeline = engine.GetPipeline(models.SlowXl, Request(64));
        var segments = ((SegmentedUnetRunner)pipeline.Unet).Segments;
        long unet = DiffusionModel.Open(models.SlowXl)[DiffusionModel.Unet].WeightBytes;

        // Planned for 1024² the activations alone ate the budget and cut the UNet into 1 MiB pieces (129 of them). At
        // 64² about 55 MiB of the 256 remain for weights beside the runtime: Balanced segments of a quarter of that
        // (two stream, half the room keeps segments), which the module boundaries pack into 15.
        Assert.InRange(segments.Count, 2, 16);
        var policy = engine.Session.PolicyFor(pipeline.Model, Request(64));
        Assert.All(segments, s => Assert.True(s.WeightBytes <= policy.SegmentBytes, $"{s} exceeds {policy.SegmentBytes} bytes"));
        Assert.True(policy.SegmentBytes >= unet / 32, "segments are at least a 32nd of the UNet");

        engine.Render(models.SlowXl, Request(64));
        Assert.Equal(segments.Count, engine.GetSessionInfo().SegmentCount);
    }

    [Fact]
    public void Renders_of_one_size_share_a_plan_and_a_new_size_that_plans_the_same_reuses_the_sessions()
    {
        using var engine = Engine();
        engine.OpenSession(new EngineSessionOptions { ModelPath = models.Xl, MemoryMode = MemoryMode.Balanced });
        var first = engine.GetPipeline(models.Xl, Request(64));
        Assert.Same(first, engine.GetPipeline(models.Xl, Request(64)));
        // Without a budget a Balanced plan does not depend on the size.
        Assert.Same(first, engine.GetPipeline(models.Xl, Request(128)));
    }

    [Fact]
    public void The_estimate_without_a_model_uses_the_sessions_model_and_says_so()
    {
        using var engine = Engine();
        var assumed = engine.EstimateMemory(null, 1024, 1024, 1, null);
        Assert.All(assumed, e => Assert.StartsWith("SDXL 1.0 (published shapes", e.Model));

        engine.OpenSession(new EngineSessionOptions { ModelPath = models.SlowXl, MemoryMode = MemoryMode.Balanced, BudgetBytes = 256L << 20 });
        var estimates = engine.EstimateMemory(null, 64, 64, 1, 256L << 20);
        long unet = DiffusionModel.Open(models.SlowXl)[DiffusionModel.Unet].WeightBytes;
        Assert.All(estimates, e => Assert.Equal(Path.GetFullPath(models.SlowXl), e.Model));
        var full = estimates.Single(e => e.Mode == MemoryMode.Full);
        Assert.True(full.WeightBytes < 1L << 30, $"Full weights {full.WeightBytes} are the small model's, not SDXL's");
        var balanced = estimates.Single(e => e.Mode == MemoryMode.Balanced);
        Assert.True(balanced.WeightBytes >= unet / 16, $"Balanced keeps {balanced.WeightBytes} bytes of a {unet}-byte UNet");
    }

    /// <summary>Balanced frees the UNet for the decode only when the budget cannot hold both; Full and Low never need to
    /// (Full keeps everything by definition, Low has released it already).</summary>
    [Fact]
    public void Balanced_releases_the_unet_before_decoding_when_the_decode_needs_its_room()
    {
        var shape = new MemoryPlanner.ModelShape("test", 100 << 20, 400 << 20, 50 << 20, [320, 640, 1280], [5, 10, 20], [false, true, true], 128, true);
        long decode = MemoryPlanner.VaeActivationBytes(shape, 512, 512, null);
        var roomy = new MemoryPolicy(MemoryMode.Balanced, MemoryPlanner.RuntimeBytes + (400 << 20) + (50 << 20) + decode, shape, 512, 512);
        Assert.False(roomy.ReleasesBeforeDecode(null));
        var tight = roomy with { BudgetBytes = roomy.BudgetBytes - 1 };
        Assert.True(tight.ReleasesBeforeDecode(null));
        // Decoding in tiles needs less room, so the UNet can stay.
        Assert.False(tight.ReleasesBeforeDecode(128));
        Assert.False((tight with { Mode = MemoryMode.Full }).ReleasesBeforeDecode(null));
        Assert.False((tight with { Mode = MemoryMode.Low }).ReleasesBeforeDecode(null));
        Assert.False((tight with { BudgetBytes = null }).ReleasesBeforeDecode(null));

        using var engine = Engine();
        engine.OpenSession(new EngineSessionOptions { ModelPath = models.SlowXl, MemoryMode = MemoryMode.Balanced, BudgetBytes = 256L << 20 });
        // 256 MiB leave about 55 MiB for weights at 64², less than this UNet: its kept segments and the decode do not fit together.
        Assert.True(engine.Session.PolicyFor(DiffusionModel.Open(models.SlowXl), Request(64)).ReleasesBeforeDecode(null));
        engine.Render(models.SlowXl, Request(64));
        var resident = engine.GetSessionInfo().ResidentBytesByComponent.Keys;
        // After the render only the VAE decoder is resident: the UNet's segments and the text encoders went before it.
        Assert.NotEmpty(resident);
        Assert.All(resident, key => Assert.StartsWith(DiffusionModel.VaeDecoder, key));
    }

    /// <summary>Full and Balanced decode in one pass unless the budget cannot hold it; then in tiles, which either fit or
    /// are the mode's smallest estimate to refuse the render with (naming a mode that fits).</summary>
    [Fact]
    public void Full_and_balanced_tile_the_vae_only_when_the_budget_needs_it()
    {
        var shape = new MemoryPlanner.ModelShape("test", 100 << 20, 400 << 20, 50 << 20, [320, 640, 1280], [5, 10, 20], [false, true, true], 128, true);
        foreach (var mode in new[] { MemoryMode.Full, MemoryMode.Balanced })
        {
            var unbounded = new MemoryPolicy(mode, null, shape, 1024, 1024);
            Assert.Null(unbounded.VaeTilePixels);
            long whole = unbounded.Estimate().PeakBytes, tiled = unbounded.Estimate(MemoryPolicy.VaeTileSizePixels).PeakBytes;
            Assert.True(tiled < whole, $"{mode}: tiles {tiled} < one pass {whole}");

            Assert.Null((unbounded with { BudgetBytes = whole }).VaeTilePixels);
            var tight = unbounded with { BudgetBytes = whole - 1 };
            Assert.Equal(MemoryPolicy.VaeTileSizePixels, tight.VaeTilePixels);
            Assert.True(tight.Estimate().Fits);
            Assert.Equal(MemoryPolicy.VaeTileSizePixels, tight.Estimate().VaeTilePixels);
            var hopeless = unbounded with { BudgetBytes = tiled - 1 };
            Assert.Equal(MemoryPolicy.VaeTileSizePixels, hopeless.VaeTilePixels);
            Assert.Equal(tiled, hopeless.Estimate().PeakBytes);
            Assert.False(hopeless.Estimate().Fits);
        }
    }

    /// <summary>A Full render whose budget holds everything but a one-pass decode renders, decoding in tiles, and says
    /// so in its parameters; the same render without the budget decodes in one pass.</summary>
    [Fact]
    public void A_full_render_over_budget_only_for_its_decode_is_tiled_not_refused()
    {
        var request = Request(576) with { Width = 576, Height = 576 };
        using var engine = Engine();
        engine.OpenSession(new EngineSessionOptions { ModelPath = models.Xl, MemoryMode = MemoryMode.Full });
        var policy = engine.Session.PolicyFor(DiffusionModel.Open(models.Xl), request);
        var untiled = engine.Render(models.Xl, request);
        Assert.DoesNotContain(untiled.Parameters.Extra, p => p.Key == "VAE tiling");

        engine.OpenSession(new EngineSessionOptions { ModelPath = models.Xl, MemoryMode = MemoryMode.Full, BudgetBytes = policy.Estimate().PeakBytes - 1 });
        var tiled = engine.Render(models.Xl, request);
        Assert.Contains(new KeyValuePair<string, string>("VAE tiling", $"{MemoryPolicy.VaeTileSizePixels / 8}/8"), tiled.Parameters.Extra);
        Assert.Equal(1, engine.GetSessionInfo().SegmentCount);
    }

    [Fact]
    public void Only_low_releases_after_use_and_tiles_the_vae_and_only_the_cpu_pages_streamed_weights_out()
    {
        var shape = new MemoryPlanner.ModelShape("test", 100 << 20, 400 << 20, 50 << 20, [320, 640, 1280], [5, 10, 20], [false, true, true], 128);
        var policies = Enum.GetValues<MemoryMode>().ToDictionary(m => m, m => new MemoryPolicy(m, null, shape, 512, 512));
        Assert.Equal([false, false, true], policies.Values.Select(p => p.ReleasesAfterUse));
        Assert.Equal([null, null, MemoryPolicy.VaeTileSizePixels], policies.Values.Select(p => p.VaeTilePixels));
        Assert.Equal(long.MaxValue, policies[MemoryMode.Full].SegmentBytes);
        Assert.Equal(4, policies[MemoryMode.Balanced].EstimatedSegmentCount);
        Assert.Equal(MemoryPolicy.KeptSegments([10, 10, 10], 30), new HashSet<int> { 0, 1, 2 });
        Assert.Equal(MemoryPolicy.KeptSegments([10, 10, 10, 10], 30), new HashSet<int> { 0 });
        // Streamed segments are paged out, not released, in Balanced on a CPU that can (Linux); Low releases them, a card releases them.
        Assert.Equal([MappedWeights.IsSupported, MappedWeights.IsSupported, false], policies.Values.Select(p => p.PagesStreamedWeights(ExecutionDevice.Cpu)));
        Assert.All(policies.Values, p => Assert.False(p.PagesStreamedWeights(ExecutionDevice.Cuda)));
    }

    [Fact]
    public void Only_balanced_on_the_cpu_under_a_budget_keeps_the_arena_between_unet_runs_and_a_run_from_its_limit_ends_within_the_budget()
    {
        var shape = new MemoryPlanner.ModelShape("test", 100 << 20, 400 << 20, 50 << 20, [320, 640, 1280], [5, 10, 20], [false, true, true], 128);
        long budget = 600L << 20;
        var policies = Enum.GetValues<MemoryMode>().ToDictionary(m => m, m => new MemoryPolicy(m, budget, shape, 512, 512));
        // 0: every run shrinks the arena at its end.
        Assert.Equal(0, policies[MemoryMode.Full].ArenaLimitBytes(ExecutionDevice.Cpu));
        Assert.Equal(0, policies[MemoryMode.Low].ArenaLimitBytes(ExecutionDevice.Cpu));
        Assert.Equal(0, new MemoryPolicy(MemoryMode.Balanced, null, shape, 512, 512).ArenaLimitBytes(ExecutionDevice.Cpu));
        Assert.Equal(0, policies[MemoryMode.Balanced].ArenaLimitBytes(ExecutionDevice.Cuda));
        // Balanced: a run that starts at the limit and adds the UNet's activations and two segments' weights reaches the budget.
        var balanced = policies[MemoryMode.Balanced];
        long limit = balanced.ArenaLimitBytes(ExecutionDevice.Cpu);
        Assert.InRange(limit, MemoryPlanner.RuntimeBytes, budget - balanced.UnetActivationBytes);
        Assert.Equal(budget, limit + balanced.UnetActivationBytes + 2 * balanced.SegmentBytes);
    }
}
