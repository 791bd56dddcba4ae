using NanoBanana.Lora;
using NanoBanana.Models;
using NanoBanana.Pipeline;
using NanoBanana.Runtime;
using NanoBanana.Schedulers;
using NanoBanana.Unet;

namespace NanoBanana.Engine.Tests.Pipeline;

/// <summary>Regional prompts (<see cref="NoisePrediction"/>): each region's words act on its window and nowhere else.</summary>
public sealed class RegionalPromptTests(TinyModels models) : IClassFixture<TinyModels>
{
    const int Size = 256;

    static readonly PromptRegion Battery = new("grey flight battery", 32, 40, 64, 56);
    static readonly PromptRegion Propeller = new("carbon fibre propeller", 160, 150, 64, 64);

    static TextToImageRequest Request(params PromptRegion[] regions) => new()
    {
        Prompt = "exploded view of a quadcopter drone, white background", Seed = 7, Steps = 4, Width = Size, Height = Size,
        Scheduler = "Euler", Regions = regions,
    };

    /// <summary>The first step's guided prediction for a request, computed as the pipeline computes it.</summary>
    static float[] FirstPrediction(ModelSessions sessions, TextToImageRequest request, out NoisePrediction noise)
    {
        var text = new TextEncoding(sessions);
        var (cond, uncond) = text.EncodePair(request.Prompt, request.NegativePrompt, CancellationToken.None);
        var regions = request.Regions.Select(r =>
        {
            var (c, _) = text.EncodePair(r.Prompt, request.NegativePrompt, CancellationToken.None);
            return (r, c);
        }).ToArray();
        int lh = Size / 8, lw = Size / 8;
        float[] timeIds = [Size, Size, 0, 0, Size, Size];
        noise = NoisePrediction.Create(sessions.Model.Architecture, cond, uncond, timeIds, 4, lh, lw, request.CfgScale, request.GuidanceBatching, regions);
        var scheduler = TextToImagePipeline.CreateScheduler(sessions.Model.SchedulerConfig, request.Scheduler, request.Steps);
        var latents = LatentNoise.Create(new TorchRandom(request.Seed!.Value), 1, 4, lh, lw);
        return noise.Predict(SegmentedUnetRunner.Whole(sessions), LoraSelection.None, scheduler.ScaleModelInput(latents, 0), scheduler.Timesteps[0], CancellationToken.None);
    }

    static bool Inside((int X, int Y, int Width, int Height) window, int x, int y) =>
        x >= window.X && x < window.X + window.Width && y >= window.Y && y < window.Y + window.Height;

    [Fact]
    public void Changing_one_parts_words_leaves_the_first_prediction_outside_its_window_unchanged()
    {
        using var sessions = new ModelSessions(DiffusionModel.Open(models.Xl));
        var before = FirstPrediction(sessions, Request(Battery, Propeller), out var noise);
        var after = FirstPrediction(sessions, Request(Battery, Propeller with { Prompt = "graphite folding propeller" }), out _);
        var window = noise.RegionWindows[1];

        int lw = Size / 8, plane = lw * lw, changedInside = 0;
        for (int c = 0; c < 4; c++)
            for (int y = 0; y < lw; y++)
                for (int x = 0; x < lw; x++)
                {
                    int i = c * plane + y * lw + x;
                    if (!Inside(window, x, y)) Assert.Equal(before[i], after[i]);
                    else if (before[i] != after[i]) changedInside++;
                }
        Assert.True(changedInside > 0, "the region's words must change its own window");
    }

    [Fact]
    public void A_regional_render_puts_nine_tenths_of_a_parts_change_inside_its_region()
    {
        using var pipeline = new TextToImagePipeline(new ModelSessions(DiffusionModel.Open(models.Xl)));
        var before = pipeline.Render(Request(Battery, Propeller));
        var after = pipeline.Render(Request(Battery, Propeller with { Prompt = "graphite folding propeller" }));
        // The region's box plus its margin, in pixels.
        int margin = NoisePrediction.MarginLatents * 8;
        double inside = 0, total = 0;
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++)
            {
                var (a, b) = (before.Row(y)[x], after.Row(y)[x]);
                double energy = Math.Pow(a.R - b.R, 2) + Math.Pow(a.G - b.G, 2) + Math.Pow(a.B - b.B, 2);
                total += energy;
                bool near = x >= Propeller.X - margin && x < Propeller.X + Propeller.Width + margin
                    && y >= Propeller.Y - margin && y < Propeller.Y + Propeller.Height + margin;
                if (near) inside += energy;
            }
        Assert.True(total > 0, "changing the part's words must change the image");
        Assert.True(inside / total >= 0.9, $"{inside / total:P1} of the change is inside the region and its margin");
    }

    [Fact]
    public void Regions_are_recorded_and_segmented_modes_render_the_same_regional_image()
    {
        using var full = new TextToImagePipeline(new ModelSessions(DiffusionModel.Open(models.Xl)));
        var request = Request(Battery, Propeller) with { Steps = 2 };
        var whole = full.Render(request);
        Assert.Contains(whole.Parameters.Extra, e => e.Key == "Regions" && e.Value.Contains("carbon fibre propeller"));

        string home = Directory.CreateTempSubdirectory("nb-regional-").FullName;
        try
        {
            using var engine = new NanoBananaEngine(new EngineOptions { UserDataDirectory = home });
            foreach (var mode in new[] { MemoryMode.Balanced, MemoryMode.Low })
            {
                engine.OpenSession(new EngineSessionOptions { ModelPath = models.Xl, MemoryMode = mode, BudgetBytes = 400L << 20 });
                var image = engine.Render(models.Xl, request);
                int maxDiff = whole.Pixels.Zip(image.Pixels, (a, b) => Math.Abs(a - b)).Max();
                Assert.True(maxDiff <= 1, $"{mode}: max pixel difference {maxDiff}");
            }
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>Answers every batch item with the first value of its conditioning, so a prediction says which prompt made it.</summary>
    sealed class PromptEchoRunner : IUnetRunner
    {
        public List<UnetInputs> Passes { get; } = [];

        public int RunCount => Passes.Count;

        public float[][] Run(IReadOnlyList<UnetInputs> passes, LoraSelection loras, CancellationToken cancellationToken)
        {
            Passes.AddRange(passes);
            return passes.Select(p =>
            {
                int item = p.Sample.Length / p.Batch, text = p.EncoderHiddenStates.Length / p.Batch;
                return Enumerable.Range(0, p.Batch).SelectMany(b => Enumerable.Repeat(p.EncoderHiddenStates[b * text], item)).ToArray();
            }).ToArray();
        }
    }

    static TextConditioning Filled(float value) => new(Enumerable.Repeat(value, 77 * 8).ToArray(), 77, 8, new float[4]);

    [Theory]
    [InlineData(GuidanceBatching.Separate)]
    [InlineData(GuidanceBatching.Combined)]
    public void Each_region_is_one_conditional_pass_guided_against_the_whole_latents_unconditional_prediction(GuidanceBatching batching)
    {
        // Global prompt → 1, negative → 0, region → 2; a 32-pixel box at latent (8, 8) of a 32×32 latent.
        var runner = new PromptEchoRunner();
        var noise = NoisePrediction.Create(DiffusionArchitecture.StableDiffusionXL, Filled(1), Filled(0), [256, 256, 0, 0, 256, 256], 4, 32, 32, 7.5, batching,
            [(new PromptRegion("grey flight battery", 64, 64, 32, 32), Filled(2))]);
        var prediction = noise.Predict(runner, LoraSelection.None, new float[4 * 32 * 32], 999, CancellationToken.None);

        // The box plus a 4-latent margin is 12 latents: a whole number of SDXL's 4-latent tiles, not grown to 16.
        Assert.Equal((4, 4, 12, 12), noise.RegionWindows[0]);
        var region = runner.Passes[^1];
        Assert.Equal([1, 4, 12, 12], region.SampleShape);
        Assert.Equal([256f, 256, 32, 32, 96, 96], region.TimeIds!);
        Assert.Equal(batching == GuidanceBatching.Combined ? 2 : 3, runner.Passes.Count);
        // uncond + 7.5·(weighted cond − uncond): weight 1 for the whole latent, 4 inside the box, 4·(1 − 2/5) two latents out.
        Assert.Equal(7.5f, prediction[20 * 32 + 20]);
        Assert.Equal(7.5f * (1 + 4 * 2) / 5, prediction[9 * 32 + 9], 4);
        Assert.Equal(7.5f * (1 + 2.4f * 2) / 3.4f, prediction[9 * 32 + 6], 4);
    }

    [Fact]
    public void Sd15_windows_grow_to_its_8_latent_tiles()
    {
        var noise = NoisePrediction.Create(DiffusionArchitecture.StableDiffusion15, Filled(1), Filled(0), null, 4, 32, 32, 7.5, GuidanceBatching.Separate,
            [(new PromptRegion("grey flight battery", 64, 64, 32, 32), Filled(2))]);
        Assert.Equal((2, 2, 16, 16), noise.RegionWindows[0]);
    }

    [Fact]
    public void A_region_outside_the_image_is_refused_naming_the_field()
    {
        var problem = Request(Battery with { X = 240 }).FirstProblem();
        Assert.Equal("Regions", problem!.Value.Field);
        Assert.Contains("grey flight battery", problem.Value.Message);
        Assert.Contains("not inside the 256x256 image", problem.Value.Message);
        Assert.Equal("Regions", Request(Battery with { Prompt = " " }).FirstProblem()!.Value.Field);
    }
}
