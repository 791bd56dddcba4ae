using NanoBanana.Imaging;
using NanoBanana.Pipeline;
using Xunit.Abstractions;

namespace NanoBanana.Engine.Tests.Parity;

/// <summary>
/// Image-to-image's VAE path against diffusers 0.26.3 on the SDXL fixture's VAE (the export's weights are the seeded
/// AutoencoderKL the reference tools build): <c>VaeImageProcessor.preprocess</c>, <c>vae.encode(image).latent_dist.sample(
/// generator)</c> × scaling_factor as img2img's <c>prepare_latents</c> draws it (first draw of
/// <c>torch.Generator("cpu").manual_seed(7)</c>), then decode and <c>postprocess</c> — the engine's strength 0. The engine
/// runs the Optimum encoder with its in-graph RandomNormalLike cut away; the schedule half of img2img is pinned in
/// <c>Schedulers/ImageToImageScheduleTests</c>.
/// </summary>
public sealed class ImageToImageParityTests(ParityPipelines pipelines, ITestOutputHelper output) : IClassFixture<ParityPipelines>
{
    static string Folder => Path.Combine(DiffusersFixtures.Root, "img2img");

    /// <summary>StableDiffusionImg2ImgPipeline itself on the SD 1.5 fixture (its torch modules rebuilt from the export's
    /// configs and seeds; every initializer of the committed ONNX equals them): prompt of case D, CFG 7.5, 8 steps,
    /// generator seeded 42, the committed init.png. Covers the strength cut, the VAE sample then the noise from one
    /// generator, add_noise, the loop from the cut and DPM++'s multistep history starting mid-schedule.</summary>
    [Theory]
    [InlineData("euler-0.6", "Euler", 0.6)]
    [InlineData("dpmkarras-0.75", "DpmPlusPlus2MKarras", 0.75)]
    public void Sd15_img2img_renders_within_one_level_of_diffusers(string name, string scheduler, double strength)
    {
        string init = Path.Combine(Folder, "init.png");
        var request = new TextToImageRequest
        {
            Prompt = "knolling of a mechanical keyboard", NegativePrompt = "lowres", Seed = 42, Steps = 8, CfgScale = 7.5,
            Width = 128, Height = 128, Scheduler = scheduler, InitImage = new InitImage(init, ImageCodec.Read(init)), Strength = strength,
        };
        var image = pipelines.For(DiffusersFixtures.Sd15).Render(request);
        var result = ImageComparison.Compare(ImageCodec.Read(Path.Combine(Folder, $"sd15-{name}.png")), image);
        output.WriteLine($"{name}: max difference {result.MaxDifference}, PSNR {result.Psnr:F1} dB");
        Assert.True(result.MaxDifference <= 1, $"{name}: max difference {result.MaxDifference} (PSNR {result.Psnr:F1} dB)");
        // One step more of the schedule is another image: the comparison can tell a wrong cut.
        var cutLater = pipelines.For(DiffusersFixtures.Sd15).Render(request with { Strength = strength + 0.125 });
        Assert.True(ImageComparison.Compare(ImageCodec.Read(Path.Combine(Folder, $"sd15-{name}.png")), cutLater).MaxDifference > 10);
    }

    [Fact]
    public void Strength_0_is_diffusers_vae_sample_decoded_within_one_level()
    {
        string init = Path.Combine(Folder, "init.png");
        var request = new TextToImageRequest
        {
            Prompt = "a sheet of parts", Seed = 7, Steps = 4, Width = 128, Height = 128, Scheduler = "Euler",
            InitImage = new InitImage(init, ImageCodec.Read(init)), Strength = 0,
        };
        var image = pipelines.For(DiffusersFixtures.Sdxl).Render(request);
        var result = ImageComparison.Compare(ImageCodec.Read(Path.Combine(Folder, "strength0.png")), image);
        output.WriteLine($"max difference {result.MaxDifference}, PSNR {result.Psnr:F1} dB");
        Assert.True(result.MaxDifference <= 1, $"max difference {result.MaxDifference} (PSNR {result.Psnr:F1} dB)");

        // Another seed draws another VAE sample: the sampling is the engine's, seeded, not ONNX Runtime's.
        var other = pipelines.For(DiffusersFixtures.Sdxl).Render(request with { Seed = 8 });
        Assert.True(ImageComparison.Compare(image, other).MaxDifference > 1);
    }
}
