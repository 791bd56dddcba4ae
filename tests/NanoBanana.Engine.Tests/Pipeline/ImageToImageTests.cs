using NanoBanana.Catalogue;
using NanoBanana.Imaging;
using NanoBanana.Models;
using NanoBanana.Onnx;
using NanoBanana.Pipeline;
using NanoBanana.Runtime;
using NanoBanana.Schedulers;
using Microsoft.ML.OnnxRuntime;

namespace NanoBanana.Engine.Tests.Pipeline;

/// <summary>Rendering from an image (diffusers' img2img): the two ends of the strength scale, the layout's guide, the
/// Optimum encoder's in-graph sampling, and the memory modes.</summary>
public sealed class ImageToImageTests(TinyModels models) : IClassFixture<TinyModels>
{
    const int Size = 128;
    const string Parts = "<product name=\"drone\"><part name=\"propeller\" count=\"2\" material=\"carbon fibre\"/><part name=\"flight battery\" colour=\"grey\"/></product>";

    static RenderRow Row(string? strength = null, string? initImage = null, string? parts = Parts) => new()
    {
        Name = "drone", Prompt = "exploded view of a drone", Parts = parts, Seed = "7", Steps = "4", Width = $"{Size}", Height = $"{Size}",
        Scheduler = "Euler", LayoutStrength = strength, InitImage = initImage,
    };

    /// <summary>A deterministic start image that is not the guide (so the init image visibly replaces it).</summary>
    static RgbaImage Gradient(int width = Size, int height = Size) =>
        RgbaImage.Create(width, height, false, null, (y, row) =>
        {
            for (int x = 0; x < width; x++) row[x] = new Rgba32((byte)(2 * x), (byte)(2 * y), (byte)(255 - x - y / 2), 255);
        });

    static string Extra(RgbaImage image, string key) => image.Parameters.Extra.Single(p => p.Key == key).Value;

    [Fact]
    public void Strength_1_is_text_to_image_byte_for_byte()
    {
        using var pipeline = new TextToImagePipeline(new ModelSessions(DiffusionModel.Open(models.Xl)));
        var text = Row(parts: null).ToRequest();
        var textImage = pipeline.Render(text);
        var fromImage = pipeline.Render(text with { InitImage = new InitImage("gradient.png", Gradient()), Strength = 1 });
        Assert.Equal(ImageCodec.EncodePng(textImage), ImageCodec.EncodePng(fromImage));
        // And a laid-out row at strength 1 renders exactly as with no start image at all.
        var sheet = Row("1").ToRequest();
        Assert.Null(sheet.StartImageSource);
        Assert.Equal(pipeline.Render(sheet).Pixels, pipeline.Render(sheet with { Strength = 1, InitImage = null }).Pixels);
    }

    [Fact]
    public void Strength_0_returns_the_start_image_through_the_vae()
    {
        var sessions = new ModelSessions(DiffusionModel.Open(models.Xl));
        using var pipeline = new TextToImagePipeline(sessions);
        var image = Gradient();
        var request = Row(parts: null).ToRequest() with { InitImage = new InitImage("gradient.png", image), Strength = 0 };
        var rendered = pipeline.Render(request);

        // The round trip by hand: the VAE sample drawn with the seed's generator, decoded, no step in between.
        var latents = new VaeEncoding(sessions).Encode(image, new TorchRandom(7), CancellationToken.None);
        var roundTrip = new VaeDecoding(sessions).Decode(latents, 4, Size / 8, Size / 8, null, new GenerationParameters(), CancellationToken.None);
        Assert.Equal(roundTrip.Pixels, rendered.Pixels);
        Assert.Equal("0", Extra(rendered, "Denoising strength"));
        Assert.Equal("gradient.png", Extra(rendered, "Init image"));
    }

    [Fact]
    public void A_laid_out_row_starts_from_its_guide_and_the_strength_moves_the_result()
    {
        using var pipeline = new TextToImagePipeline(new ModelSessions(DiffusionModel.Open(models.Xl)));
        var request = Row().ToRequest();
        Assert.Equal(RenderRow.DefaultLayoutStrength, request.Strength);
        Assert.Equal(InitImage.LayoutSource, request.StartImageSource);
        var guided = pipeline.Render(request);
        Assert.Equal("layout", Extra(guided, "Init image"));
        Assert.NotEqual(guided.Pixels, pipeline.Render(request with { Strength = 0.5 }).Pixels);
        Assert.NotEqual(guided.Pixels, pipeline.Render(request with { Strength = 1 }).Pixels);
        // An init image on a laid-out row replaces the guide; the layout still cleans the background.
        var fromFile = pipeline.Render(request with { InitImage = new InitImage("gradient.png", Gradient()) });
        Assert.NotEqual(guided.Pixels, fromFile.Pixels);
        Assert.Equal(1.0, ExplodedViewMeasure.Measure(fromFile).BackgroundPurity);
    }

    [Fact]
    public void The_guide_draws_every_part_inside_its_box_on_the_background()
    {
        var layout = Row().ToLayout()!;
        var guide = LayoutGuide.Draw(layout, SheetBackground.White);
        Assert.Equal((Size, Size), (guide.Width, guide.Height));
        var mask = BackgroundCleaning.PartMask(layout, Size, Size);
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++)
            {
                var p = guide.Row(y)[x];
                if (mask[y * Size + x] == 0) Assert.Equal(new Rgba32(255, 255, 255, 255), p);
            }
        foreach (var part in layout.Parts)
        {
            var c = guide.Row((int)part.Box.Center.Y)[(int)part.Box.Center.X];
            Assert.InRange(c.R, 120, 230);
        }
    }

    [Fact]
    public void Regional_image_to_image_renders_alike_in_full_and_segmented_memory()
    {
        var request = Row().ToRequest();
        Assert.NotEmpty(request.Regions);
        string home = Directory.CreateTempSubdirectory("nb-img2img-").FullName;
        try
        {
            using var engine = new NanoBananaEngine(new EngineOptions { UserDataDirectory = home });
            var full = engine.Render(models.Xl, request);
            // Full keeps the encoder loaded, beside the other sessions of ModelSessions.
            Assert.Contains(engine.GetSessionInfo().ResidentBytesByComponent.Keys, k => k.StartsWith("vae_encoder", StringComparison.Ordinal));
            foreach (var mode in new[] { MemoryMode.Balanced, MemoryMode.Low })
            {
                engine.OpenSession(new EngineSessionOptions { ModelPath = models.Xl, MemoryMode = mode, BudgetBytes = 400L << 20 });
                var image = engine.Render(models.Xl, request);
                int maxDiff = full.Pixels.Zip(image.Pixels, (a, b) => Math.Abs(a - b)).Max();
                Assert.True(maxDiff <= 1, $"{mode}: max pixel difference {maxDiff}");
            }
            // Low releases the encoder after use like the other components.
            Assert.DoesNotContain(engine.GetSessionInfo().ResidentBytesByComponent.Keys, k => k.StartsWith("vae_encoder", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>Optimum's encoder samples in the graph (RandomNormalLike): the cut ends at the distribution's parameters,
    /// and the uncut graph's samples are exactly that distribution's — (sample − mean)/std is standard normal.</summary>
    [Fact]
    public void The_optimum_encoders_in_graph_sampling_is_cut_at_the_latent_distribution()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Parity", "Fixtures", "sdxl-tiny", "vae_encoder", "model.onnx");
        var proto = OnnxModelFile.Load(path);
        var cut = VaeEncoderGraph.DistributionParameters(proto, path);
        Assert.DoesNotContain(cut.Graph.Node, n => n.OpType.StartsWith("Random", StringComparison.Ordinal));

        var input = Gradient(64, 64);
        var rgb = new float[3 * 64 * 64];
        for (int i = 0; i < 64 * 64; i++)
            for (int c = 0; c < 3; c++) rgb[c * 64 * 64 + i] = 2f * (input.Pixels[i * 4 + c] / 255f) - 1f;
        float[] Run(byte[] model, string name)
        {
            using var session = new InferenceSession(model);
            using var value = OrtTensors.Floats(rgb, [1, 3, 64, 64], Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float);
            using var results = session.Run(new RunOptions(), ["sample"], [value], [name]);
            return OrtTensors.ReadFloats(results[0]);
        }
        float[] parameters = Run(OnnxModelFile.ToBytes(cut), VaeEncoderGraph.ParametersOutput);
        int n = parameters.Length / 2;
        Assert.Equal(4 * 8 * 8, n);
        float[] sample = Run(File.ReadAllBytes(path), VaeEncoderGraph.SampleOutput);
        var z = Enumerable.Range(0, n).Select(i => (sample[i] - parameters[i]) / Math.Exp(0.5 * Math.Clamp(parameters[n + i], -30, 20))).ToArray();
        double mean = z.Average(), sd = Math.Sqrt(z.Average(v => (v - mean) * (v - mean)));
        Assert.InRange(mean, -0.2, 0.2);
        Assert.InRange(sd, 0.85, 1.15);
        Assert.True(z.Max(Math.Abs) < 6, "every sample lies within the distribution's spread");
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("-0.1")]
    [InlineData("half")]
    [InlineData("NaN")]
    public void A_garbage_strength_fails_its_row_naming_the_field(string strength)
    {
        var e = Assert.Throws<RenderRowException>(() => Row(strength).ToRequest());
        Assert.Equal("LayoutStrength", e.Field);
        Assert.Contains("0 to 1", e.Message);
    }

    [Fact]
    public void A_missing_corrupt_or_wrong_size_init_image_fails_its_row_naming_the_field()
    {
        string folder = Directory.CreateTempSubdirectory("nb-init-").FullName;
        try
        {
            var missing = Assert.Throws<RenderRowException>(() => Row(initImage: Path.Combine(folder, "none.png")).ToRequest());
            Assert.Equal("InitImage", missing.Field);
            Assert.Contains("does not exist", missing.Message);

            string corrupt = Path.Combine(folder, "corrupt.png");
            File.WriteAllBytes(corrupt, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
            var unreadable = Assert.Throws<RenderRowException>(() => Row(initImage: corrupt).ToRequest());
            Assert.Equal("InitImage", unreadable.Field);
            Assert.Contains("corrupt.png", unreadable.Message);

            string small = Path.Combine(folder, "small.png");
            ImageCodec.WritePng(Gradient(64, 64), small, overwrite: true);
            var wrongSize = Assert.Throws<RenderRowException>(() => Row(parts: null, initImage: small).ToRequest());
            Assert.Equal("InitImage", wrongSize.Field);
            Assert.Contains("is 64x64 but the render is 128x128", wrongSize.Message);

            // Right size: read, with the default strength, and a row without parts renders from it.
            string right = Path.Combine(folder, "right.png");
            ImageCodec.WritePng(Gradient(), right, overwrite: true);
            var request = Row(parts: null, initImage: right).ToRequest();
            Assert.Equal(right, request.StartImageSource);
            Assert.Equal(RenderRow.DefaultLayoutStrength, request.Strength);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_row_without_a_start_image_ignores_the_strength()
    {
        var request = Row("0.3", parts: null).ToRequest();
        Assert.Equal(1, request.Strength);
        Assert.Null(request.StartImageSource);
    }
}
