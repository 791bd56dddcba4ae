using NanoBanana.Pipeline;
using NanoBanana.Imaging;
using NanoBanana.Models;
using NanoBanana.Runtime;
using NanoBanana.Text;
using Xunit.Abstractions;

namespace NanoBanana.Engine.Tests.Parity;

/// <summary>One pipeline per committed export, shared by the cases.</summary>
public sealed class ParityPipelines : IDisposable
{
    readonly Dictionary<string, TextToImagePipeline> _pipelines = new(StringComparer.Ordinal);

    public TextToImagePipeline For(string modelFolder)
    {
        lock (_pipelines)
        {
            if (!_pipelines.TryGetValue(modelFolder, out var pipeline))
                _pipelines[modelFolder] = pipeline = new TextToImagePipeline(new ModelSessions(DiffusionModel.Open(modelFolder)));
            return pipeline;
        }
    }

    public void Dispose()
    {
        foreach (var pipeline in _pipelines.Values) pipeline.Dispose();
    }
}

/// <summary>
/// The engine against diffusers itself: the Optimum 1.17.1 exports load as written (SDXL's model_index.json names
/// StableDiffusionXLImg2ImgPipeline, text_encoder takes int32 ids and text_encoder_2 int64, SD 1.5's encoder has no
/// hidden_states.*) and render each case within 2 levels (of 255) of the PNG the diffusers pipeline made.
/// </summary>
public sealed class DiffusersParityTests(ParityPipelines pipelines, ITestOutputHelper output) : IClassFixture<ParityPipelines>
{
    const int Tolerance = 2;

    public static TheoryData<string> CaseIds => new(DiffusersFixtures.Cases.Keys.Where(id => id != "G"));

    static TextToImageRequest Request(DiffusersFixtures.Case c, PromptOverflow overflow) => new()
    {
        Prompt = c.Prompt, NegativePrompt = c.NegativePrompt ?? "", Seed = c.Seed, Steps = c.Steps, CfgScale = c.Guidance,
        Width = c.Width, Height = c.Height, Scheduler = c.EngineScheduler, PromptOverflow = overflow,
    };

    RgbaImage Render(DiffusersFixtures.Case c, PromptOverflow overflow) => pipelines.For(c.ModelFolder).Render(Request(c, overflow));

    /// <summary>Every case as diffusers rendered it; prompts over 77 tokens with <see cref="PromptOverflow.Truncate"/>, the
    /// policy that reproduces diffusers.</summary>
    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Renders_within_two_levels_of_diffusers(string id)
    {
        var c = DiffusersFixtures.Cases[id];
        var image = Render(c, c.Truncated ? PromptOverflow.Truncate : PromptOverflow.Chunk);
        var result = ImageComparison.Compare(ImageCodec.Read(c.Png), image);
        output.WriteLine($"case {id} ({c.Model}, {c.Scheduler}, cfg {c.Guidance}, negative {(c.NegativePrompt is null ? "none" : $"'{c.NegativePrompt}'")}): " +
            $"max difference {result.MaxDifference}, PSNR {result.Psnr:F1} dB");
        Assert.True(result.MaxDifference <= Tolerance, $"case {id}: max difference {result.MaxDifference} > {Tolerance} (PSNR {result.Psnr:F1} dB)");
    }

    /// <summary>Truncate drops what diffusers drops and says so in diffusers' words; the default (A1111 windows)
    /// keeps every word, so the long prompt's image is clearly another one; the PNG parameters name the policy.</summary>
    [Fact]
    public void Truncate_reproduces_diffusers_on_a_long_prompt_and_reports_the_dropped_words()
    {
        var c = DiffusersFixtures.Cases["F"];
        Assert.True(c.Truncated);
        var reference = ImageCodec.Read(c.Png);
        var truncated = Render(c, PromptOverflow.Truncate);
        var chunked = Render(c, PromptOverflow.Chunk);

        // diffusers logs it once per tokenizer (SDXL has two), the same words.
        string logged = Assert.Single(c.Warnings.Distinct());
        string dropped = logged[(logged.IndexOf("['", StringComparison.Ordinal) + 2)..logged.LastIndexOf("']", StringComparison.Ordinal)];
        Assert.Equal("background, high detail, sharp focus, product photography", dropped);
        string warning = Assert.Single(truncated.Warnings);
        Assert.Contains($"[\"{dropped}\"]", warning);
        Assert.Empty(chunked.Warnings);
        Assert.Contains(truncated.Parameters.Extra, p => p.Key == "Prompt overflow" && p.Value == "Truncate");
        Assert.DoesNotContain(chunked.Parameters.Extra, p => p.Key == "Prompt overflow");

        int truncatedDifference = ImageComparison.Compare(reference, truncated).MaxDifference;
        int chunkedDifference = ImageComparison.Compare(reference, chunked).MaxDifference;
        output.WriteLine($"long prompt: Truncate max difference {truncatedDifference}, Chunk {chunkedDifference}");
        Assert.InRange(truncatedDifference, 0, Tolerance);
        Assert.True(chunkedDifference > 10 * Tolerance, $"chunking the long prompt should change the image clearly; max difference {chunkedDifference}");
        // G is the long prompt cut by hand to what diffusers keeps: the same image, with nothing to drop.
        var cut = Render(DiffusersFixtures.Cases["G"], PromptOverflow.Truncate);
        Assert.Empty(cut.Warnings);
        Assert.Equal(truncated.Pixels, cut.Pixels);
    }

    [Theory]
    [InlineData("sdxl-tiny", "SDXL", "StableDiffusionXLImg2ImgPipeline")]
    [InlineData("sd15-tiny", "Stable Diffusion", "StableDiffusionPipeline")]
    public void The_exports_pass_Test_NanoBananaModel_and_are_recognised_by_their_graphs(string model, string family, string className)
    {
        string folder = Path.Combine(DiffusersFixtures.Root, model);
        var checks = ModelIntegrity.Check(folder);
        Assert.DoesNotContain(checks, c => c.Status == ModelCheckStatus.Failed);
        // Optimum's vae_encoder samples its latent in the graph: reported, not fatal (text-to-image does not use it).
        Assert.Contains(checks, c => (c.Component, c.Check, c.Status) == ("vae_encoder", "Sampling", ModelCheckStatus.Warning));
        var layout = Assert.Single(checks, c => c.Check == "Layout");
        Assert.Contains(className, layout.Detail);
        Assert.StartsWith("Recognised: " + family, layout.Detail);

        var recognition = DiffusionModel.Open(folder).Recognition;
        Assert.Equal(className, recognition.ClassName);
        Assert.Equal(ModelVariant.Standard, recognition.Variant);
        Assert.Equal(model == "sdxl-tiny" ? DiffusionArchitecture.StableDiffusionXL : DiffusionArchitecture.StableDiffusion15, recognition.Architecture);
    }

    [Fact]
    public void The_sdxl_export_declares_what_Optimum_writes()
    {
        var model = DiffusionModel.Open(DiffusersFixtures.Sdxl);
        Assert.Equal(Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int32, model[DiffusionModel.TextEncoder].Input("input_ids").ElementType);
        Assert.Equal(Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64, model[DiffusionModel.TextEncoder2].Input("input_ids").ElementType);
        Assert.Equal(Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64, model[DiffusionModel.Unet].Input("timestep").ElementType);
        Assert.Equal(1, model[DiffusionModel.Unet].Input("timestep").Rank);
        Assert.DoesNotContain(DiffusionModel.Open(DiffusersFixtures.Sd15)[DiffusionModel.TextEncoder].Outputs, o => o.Name.StartsWith("hidden_states.", StringComparison.Ordinal));
    }
}
