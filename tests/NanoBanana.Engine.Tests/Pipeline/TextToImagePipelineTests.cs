using NanoBanana.Lora;
using NanoBanana.Models;
using NanoBanana.Pipeline;
using NanoBanana.Runtime;
using NanoBanana.Schedulers;
using NanoBanana.Text;
using NanoBanana.Unet;

namespace NanoBanana.Engine.Tests.Pipeline;

public sealed class TextToImagePipelineTests(TinyModels models) : IClassFixture<TinyModels>
{
    static TextToImageRequest Request(long seed = 42) => new()
    {
        Prompt = "hello world", Seed = seed, Steps = 3, CfgScale = 7.5, Width = 64, Height = 64,
    };

    /// <summary>Records what reaches the UNet while delegating to the real session.</summary>
    sealed class RecordingRunner(IUnetRunner inner) : IUnetRunner
    {
        public List<UnetInputs> Calls { get; } = [];
        public int RunCount => inner.RunCount;
        public float[][] Run(IReadOnlyList<UnetInputs> passes, LoraSelection loras, CancellationToken cancellationToken)
        {
            Calls.AddRange(passes);
            return inner.Run(passes, loras, cancellationToken);
        }
    }

    static TextToImagePipeline Open(string folder) => new(new ModelSessions(DiffusionModel.Open(folder)));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Same_seed_gives_identical_pixels_and_a_different_seed_does_not(bool xl)
    {
        using var pipeline = Open(xl ? models.Xl : models.Sd15);
        var a = pipeline.Render(Request(42));
        var b = pipeline.Render(Request(42));
        var c = pipeline.Render(Request(43));
        Assert.Equal(a.Pixels, b.Pixels);
        Assert.NotEqual(a.Pixels, c.Pixels);
        Assert.Equal((64, 64), (a.Width, a.Height));
        Assert.Equal(42, a.Parameters.Seed);
        Assert.Equal(xl ? "tiny-sdxl" : "tiny-sd15", a.Parameters.Model);
        Assert.Equal("Euler", a.Parameters.Sampler);
        Assert.True(a.Pixels.Distinct().Count() > 10, "the image should not be flat");
    }

    [Fact]
    public void Model_metadata_is_read_from_the_onnx_files()
    {
        var model = DiffusionModel.Open(models.Xl);
        Assert.Equal(DiffusionArchitecture.StableDiffusionXL, model.Architecture);
        Assert.Equal(0.13025f, model.VaeScalingFactor);
        Assert.True(model.ForceZerosForEmptyPrompt);
        var unet = model[DiffusionModel.Unet];
        Assert.Equal(0, unet.Input("timestep").Rank);
        Assert.Equal(Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64, model[DiffusionModel.TextEncoder].Input("input_ids").ElementType);
        Assert.Equal(0.18215f, DiffusionModel.Open(models.Sd15).VaeScalingFactor);
    }

    [Theory]
    [InlineData(GuidanceBatching.Separate)]
    [InlineData(GuidanceBatching.Combined)]
    public void Legacy_export_contract_int32_ids_int64_timestep_fp16_unet_renders_like_fp32(GuidanceBatching batching)
    {
        var legacy = DiffusionModel.Open(models.LegacyXl);
        Assert.Equal(Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int32, legacy[DiffusionModel.TextEncoder].Input("input_ids").ElementType);
        Assert.Equal(1, legacy[DiffusionModel.Unet].Input("timestep").Rank);
        Assert.Equal(Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float16, legacy[DiffusionModel.Unet].Input("sample").ElementType);

        using var fp32 = Open(models.Xl);
        using var fp16 = Open(models.LegacyXl);
        var request = Request() with { GuidanceBatching = batching };
        var expected = fp32.Render(request);
        var actual = fp16.Render(request);
        int maxDiff = expected.Pixels.Zip(actual.Pixels, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDiff <= 3, $"fp16 UNet differs from fp32 by {maxDiff}/255");
    }

    [Fact]
    public void Unusable_folder_names_the_missing_file()
    {
        var e = Assert.Throws<FileNotFoundException>(() => DiffusionModel.Open(models.Root));
        Assert.Contains("model_index.json", e.Message);
    }

    [Theory]
    [InlineData("Euler")]
    [InlineData("EulerAncestral")]
    [InlineData("DDIM")]
    [InlineData("DpmPlusPlus2M")]
    [InlineData("DpmPlusPlus2MKarras")]
    [InlineData("Lcm")]
    public void Every_scheduler_renders_end_to_end(string scheduler)
    {
        using var pipeline = Open(models.Xl);
        var image = pipeline.Render(Request() with { Scheduler = scheduler, Steps = 4 });
        Assert.Equal(64 * 64 * 4, image.Pixels.Length);
        Assert.Equal(RenderDiagnostics.Schedule(models.Xl, scheduler, 4).DisplayName, image.Parameters.Sampler);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Long_prompts_and_BREAK_reach_the_unet_as_77k_tokens(bool xl)
    {
        string prompt = string.Join(", ", Enumerable.Repeat("hello world", 60)) + " BREAK abc";
        var chunker = new PromptChunker(ClipTokenizer.Load(Path.Combine(xl ? models.Xl : models.Sd15, "tokenizer")));
        int chunks = chunker.Chunk(prompt).Count;
        Assert.True(chunks >= 3);

        var sessions = new ModelSessions(DiffusionModel.Open(xl ? models.Xl : models.Sd15));
        var runner = new RecordingRunner(SegmentedUnetRunner.Whole(sessions));
        using var pipeline = new TextToImagePipeline(sessions, runner);
        pipeline.Render(Request() with { Prompt = prompt, Steps = 2 });
        int width = sessions.Model[DiffusionModel.Unet].Input("encoder_hidden_states").Dimensions[2];
        Assert.All(runner.Calls, c => Assert.Equal([1, 77 * chunks, width], c.EncoderHiddenStatesShape));
        if (xl) Assert.All(runner.Calls, c => Assert.Equal([64f, 64, 0, 0, 64, 64], c.TimeIds!));
    }

    [Fact]
    public void Cfg_at_most_one_runs_one_unet_pass_per_step_and_guidance_runs_two()
    {
        using var pipeline = Open(models.Xl);
        pipeline.Render(Request() with { CfgScale = 1, Steps = 3 });
        Assert.Equal(3, pipeline.Unet.RunCount);
        pipeline.Render(Request() with { Steps = 3 });
        Assert.Equal(3 + 6, pipeline.Unet.RunCount);
        pipeline.Render(Request() with { Steps = 3, GuidanceBatching = GuidanceBatching.Combined });
        Assert.Equal(3 + 6 + 3, pipeline.Unet.RunCount);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Combined_and_separate_guidance_agree(bool xl)
    {
        using var pipeline = Open(xl ? models.Xl : models.Sd15);
        var separate = pipeline.Render(Request() with { NegativePrompt = "abc" });
        var combined = pipeline.Render(Request() with { NegativePrompt = "abc", GuidanceBatching = GuidanceBatching.Combined });
        int maxDiff = separate.Pixels.Zip(combined.Pixels, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDiff <= 1, $"max pixel difference {maxDiff}");
    }

    [Fact]
    public void Tiled_vae_decoding_matches_untiled_away_from_blend_zones()
    {
        using var pipeline = Open(models.LocalVaeXl);
        var request = Request() with { Width = 128, Height = 192 };
        var tiling = new VaeTiling(TileSize: 6, Overlap: 2);
        var whole = pipeline.Render(request);
        var tiled = pipeline.Render(request with { VaeTiling = tiling });

        // Pixels covered by one tile only are outside every blend zone.
        int[] Coverage(int latentSize) => Enumerable.Range(0, latentSize * 8)
            .Select(p => tiling.TileOrigins(latentSize).Count(o => p >= o * 8 && p < (o + tiling.TileSize) * 8)).ToArray();
        int[] cx = Coverage(128 / 8), cy = Coverage(192 / 8);
        int outside = 0, maxOutside = 0, maxAnywhere = 0;
        for (int y = 0; y < 192; y++)
            for (int x = 0; x < 128; x++)
                for (int c = 0; c < 3; c++)
                {
                    int i = (y * 128 + x) * 4 + c, diff = Math.Abs(whole.Pixels[i] - tiled.Pixels[i]);
                    maxAnywhere = Math.Max(maxAnywhere, diff);
                    if (cx[x] == 1 && cy[y] == 1) { outside++; maxOutside = Math.Max(maxOutside, diff); }
                }
        Assert.True(outside > 1000);
        Assert.True(maxOutside <= 2, $"max difference outside blend zones {maxOutside}");
        Assert.True(maxAnywhere > 0, "the decoder is not pointwise, so separately decoded tiles must differ somewhere");
        Assert.True(maxAnywhere <= 32, $"max difference in blend zones {maxAnywhere}");
        Assert.Equal(1, pipeline.Sessions.LoadCounts[Path.Combine("vae_decoder", "model.onnx")]);
    }

    [Fact]
    public void Several_renders_load_each_onnx_file_once()
    {
        using var engine = new NanoBananaEngine();
        for (int i = 0; i < 3; i++) engine.Render(models.Xl, Request(i) with { Steps = 2 });
        var counts = engine.LoadCounts(models.Xl);
        Assert.Equal(4, counts.Count);
        Assert.All(counts.Values, n => Assert.Equal(1, n));
    }

    /// <summary>Cancels a fixed delay after the UNet run starts, and counts the runs that returned anyway.</summary>
    sealed class CancelInsideRunner(IUnetRunner inner, CancellationTokenSource cts, TimeSpan delay) : IUnetRunner
    {
        /// <summary>UNet runs that returned a prediction; 0 when the cancellation stopped the first run from inside.</summary>
        public int CompletedRuns { get; private set; }
        public int RunCount => inner.RunCount;
        public float[][] Run(IReadOnlyList<UnetInputs> passes, LoraSelection loras, CancellationToken cancellationToken)
        {
            // A thread of its own, not CancelAfter's thread-pool timer: with xunit's parallel renders and ORT's threads
            // on 2 cores the pool's callback could come after the whole run (seen in CI), which tests nothing.
            new Thread(() => { Thread.Sleep(delay); cts.Cancel(); }) { IsBackground = true }.Start();
            var prediction = inner.Run(passes, loras, cancellationToken);
            CompletedRuns++;
            return prediction;
        }
    }

    [Fact]
    public void Cancelling_mid_step_stops_promptly_and_the_session_still_renders()
    {
        // Without spinning intra-op threads, so the thread-pool timer that cancels is not starved on 2 cores.
        var sessions = new ModelSessions(DiffusionModel.Open(models.SlowXl), () =>
        {
            var options = ExecutionProviders.CreateSessionOptions(ExecutionDevice.Cpu);
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            return options;
        });
        // The Small model at 512×512: a UNet run of about half a second, long enough to cancel inside.
        var request = Request() with { Steps = 1, CfgScale = 1, Width = 512, Height = 512 };
        using var pipeline = new TextToImagePipeline(sessions);
        // Warm run (the first run of a session also pays ORT's allocation planning).
        pipeline.Render(request);

        using var cts = new CancellationTokenSource();
        var cancelling = new CancelInsideRunner(SegmentedUnetRunner.Whole(sessions), cts, TimeSpan.FromMilliseconds(20));
        var cancelled = new TextToImagePipeline(sessions, cancelling);
        Assert.ThrowsAny<OperationCanceledException>(() => cancelled.Render(request with { Steps = 20 }, null, cts.Token));
        // Stopped inside the first UNet run (ORT's terminate flag), not at the next step boundary: no run returned. Checked
        // by outcome, not by timing, so a loaded machine cannot fail it.
        Assert.Equal(0, cancelling.CompletedRuns);

        // The same session renders again, unchanged.
        var image = pipeline.Render(request);
        Assert.Equal(512 * 512 * 4, image.Pixels.Length);
        Assert.Equal(1, sessions.LoadCounts[Path.Combine("unet", "model.onnx")]);
    }

    [Fact]
    public void Released_components_reload_on_next_use_and_a_missing_seed_is_drawn_and_reported()
    {
        using var pipeline = Open(models.Sd15);
        var first = pipeline.Render(Request() with { Seed = null, Steps = 2 });
        Assert.NotNull(first.Parameters.Seed);
        pipeline.Sessions.Release(DiffusionModel.TextEncoder);
        var again = pipeline.Render(Request(first.Parameters.Seed!.Value) with { Steps = 2 });
        Assert.Equal(first.Pixels, again.Pixels);
        Assert.Equal(2, pipeline.Sessions.LoadCounts[Path.Combine("text_encoder", "model.onnx")]);
        Assert.Equal(1, pipeline.Sessions.LoadCounts[Path.Combine("unet", "model.onnx")]);
    }

    [Fact]
    public void Diagnostics_reproduce_the_pipelines_noise_and_schedule()
    {
        var noise = RenderDiagnostics.InitialNoise(42, 64, 64);
        Assert.Equal(LatentNoise.Create(42, 1, 4, 8, 8), noise);
        var schedule = RenderDiagnostics.Schedule(models.Xl, null, 4);
        Assert.Equal(4, schedule.Timesteps.Count);
        Assert.Equal(5, schedule.Sigmas.Count);
        Assert.Equal([751f, 501, 251, 1], schedule.Timesteps);
    }

    [Theory]
    [InlineData("", 1024, 30, null, "Prompt")]
    [InlineData("x", 1000, 30, null, "Width")]
    [InlineData("x", 1020, 30, null, "Width")]
    [InlineData("x", 1024, 0, null, "Steps")]
    [InlineData("x", 1024, 30, "Heun", "Scheduler")]
    public void Invalid_requests_name_the_field(string prompt, int width, int steps, string? scheduler, string field)
    {
        var request = new TextToImageRequest { Prompt = prompt, Width = width, Steps = steps, Scheduler = scheduler };
        var e = Assert.Throws<ArgumentException>(request.Validate);
        Assert.Equal(field, e.ParamName);
    }

    [Fact]
    public void Unknown_style_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(new TextToImageRequest { Prompt = "x", Style = (StylePreset)99 }.Validate);
        Assert.Equal("Style", e.ParamName);
    }
}
