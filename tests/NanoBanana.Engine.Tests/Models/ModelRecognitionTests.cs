using Microsoft.ML.OnnxRuntime.Tensors;
using NanoBanana.Models;

namespace NanoBanana.Engine.Tests.Models;

/// <summary>Recognition from the components' declared I/O (contracts as real exports declare them), whatever
/// class name model_index.json gives.</summary>
public sealed class ModelRecognitionTests
{
    const string Index = "/models/m/model_index.json";
    static readonly TensorElementType F = TensorElementType.Float;

    static ModelComponent Unet(int channels = 4, int context = 2048, int timeIds = 6, bool added = true, bool lcm = false)
    {
        var inputs = new List<TensorContract>
        {
            new("sample", F, [-1, channels, -1, -1]), new("timestep", TensorElementType.Int64, [-1]),
            new("encoder_hidden_states", F, [-1, -1, context]),
        };
        if (added) inputs.AddRange([new TensorContract("text_embeds", F, [-1, 1280]), new TensorContract("time_ids", F, [-1, timeIds])]);
        if (lcm) inputs.Add(new TensorContract("timestep_cond", F, [-1, 256]));
        return new ModelComponent("unet", "/models/m/unet/model.onnx", inputs, [new TensorContract("out_sample", F, [-1, 4, -1, -1])]);
    }

    static ModelComponent Encoder(string name, int width) => new(name, $"/models/m/{name}/model.onnx",
        [new TensorContract("input_ids", TensorElementType.Int32, [-1, 77])], [new TensorContract("last_hidden_state", F, [-1, 77, width])]);

    static readonly ModelComponent Te1 = Encoder("text_encoder", 768), Te2 = Encoder("text_encoder_2", 1280);

    [Theory]
    [InlineData("StableDiffusionXLPipeline")]
    [InlineData("StableDiffusionXLImg2ImgPipeline")]
    [InlineData("ORTStableDiffusionXLPipeline")]
    [InlineData("ORTStableDiffusionXLImg2ImgPipeline")]
    [InlineData("StableDiffusionXLInpaintPipeline")]
    [InlineData("")]
    [InlineData("MyFineTunedPipeline")]
    public void Sdxl_components_are_sdxl_whatever_the_class_name(string className)
    {
        var r = ModelRecognition.Recognise(Index, className, Unet(), Te1, Te2);
        Assert.Equal(DiffusionArchitecture.StableDiffusionXL, r.Architecture);
        Assert.Equal(ModelVariant.Standard, r.Variant);
        Assert.StartsWith("SDXL text-to-image", r.Summary);
        if (className.Length > 0) Assert.Contains(className, r.Summary);
        if (className.Contains("Img2Img", StringComparison.Ordinal)) Assert.Contains("image-to-image class", r.Summary);
    }

    [Theory]
    [InlineData("StableDiffusionPipeline", 768, "Stable Diffusion 1.x")]
    [InlineData("StableDiffusionImg2ImgPipeline", 768, "Stable Diffusion 1.x")]
    [InlineData("ORTStableDiffusionPipeline", 1024, "Stable Diffusion 2.x")]
    [InlineData("StableDiffusionXLPipeline", 768, "Stable Diffusion 1.x")]
    public void Sd_components_are_sd_and_the_encoder_width_tells_1x_from_2x(string className, int width, string family)
    {
        var r = ModelRecognition.Recognise(Index, className, Unet(context: width, added: false), Encoder("text_encoder", width), null);
        Assert.Equal(DiffusionArchitecture.StableDiffusion15, r.Architecture);
        Assert.Equal(family, r.Family);
        if (className.Contains("XL", StringComparison.Ordinal)) Assert.Contains("but the graphs are", r.Summary);
    }

    [Fact]
    public void Two_text_encoders_make_an_sdxl_folder_even_when_its_unet_lacks_the_added_conditioning()
    {
        var r = ModelRecognition.Recognise(Index, "StableDiffusionXLPipeline", Unet(added: false), Te1, Te2);
        Assert.Equal(DiffusionArchitecture.StableDiffusionXL, r.Architecture);
        Assert.Contains("the UNet lacks text_embeds/time_ids", r.Summary);
    }

    [Theory]
    [InlineData("LatentConsistencyModelPipeline", false)]
    [InlineData("ORTLatentConsistencyModelPipeline", true)]
    public void A_unet_with_timestep_cond_is_a_latent_consistency_model(string className, bool xl)
    {
        var r = ModelRecognition.Recognise(Index, className, Unet(added: xl, context: xl ? 2048 : 768, lcm: true), Te1, xl ? Te2 : null);
        Assert.Equal(ModelVariant.LatentConsistency, r.Variant);
        Assert.Equal(xl ? DiffusionArchitecture.StableDiffusionXL : DiffusionArchitecture.StableDiffusion15, r.Architecture);
        Assert.Contains("timestep_cond", r.Summary);
    }

    [Fact]
    public void An_inpainting_unet_is_refused_naming_the_file_and_the_fix()
    {
        var e = Assert.Throws<ModelInvalidException>(() => ModelRecognition.Recognise(Index, "StableDiffusionXLInpaintPipeline", Unet(channels: 9), Te1, Te2));
        Assert.Equal("/models/m/unet/model.onnx", e.Path);
        Assert.Contains("inpainting UNet", e.Problem);
        Assert.Contains("9 input channels", e.Problem);
        Assert.Contains("base (text-to-image) export", e.Fix);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_sdxl_refiner_is_refused_by_its_time_ids_or_its_single_encoder(bool fiveTimeIds)
    {
        var e = Assert.Throws<ModelInvalidException>(() => ModelRecognition.Recognise(Index, "StableDiffusionXLImg2ImgPipeline",
            Unet(context: 1280, timeIds: fiveTimeIds ? 5 : 6), fiveTimeIds ? Te1 : null, Te2));
        Assert.Contains("SDXL refiner", e.Problem);
        Assert.Contains("stable-diffusion-xl-base-1.0", e.Fix);
    }

    [Fact]
    public void A_unet_that_is_not_stable_diffusions_is_refused()
    {
        var other = new ModelComponent("unet", "/models/m/unet/model.onnx", [new TensorContract("hidden_states", F, [-1, 16, -1, -1])], []);
        var e = Assert.Throws<ModelInvalidException>(() => ModelRecognition.Recognise(Index, "FluxPipeline", other, null, null));
        Assert.Contains("not a Stable Diffusion UNet", e.Problem);
        Assert.Throws<ModelInvalidException>(() => ModelRecognition.Recognise(Index, "StableDiffusionPipeline", Unet(channels: 16, added: false), Te1, null));
    }
}
