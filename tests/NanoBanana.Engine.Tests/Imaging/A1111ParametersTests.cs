using NanoBanana.Imaging;

namespace NanoBanana.Engine.Tests.Imaging;

public class A1111ParametersTests
{
    [Fact]
    public void FormatsLikeAutomatic1111()
    {
        var p = new GenerationParameters
        {
            Prompt = "exploded view of a drone, white background",
            NegativePrompt = "clutter, overlap",
            Steps = 30, Sampler = "Euler a", CfgScale = 7.5, Seed = 1001, Width = 1024, Height = 1024, Model = "sdxl-base",
        };
        p.LoraWeights["turbo"] = 0.7;
        p.SetExtra("Upscaler", "realesrgan-x4fast");

        Assert.Equal(
            "exploded view of a drone, white background\n" +
            "Negative prompt: clutter, overlap\n" +
            "Steps: 30, Sampler: Euler a, CFG scale: 7.5, Seed: 1001, Size: 1024x1024, Model: sdxl-base, Lora weights: \"turbo: 0.7\", Upscaler: realesrgan-x4fast",
            A1111Parameters.Format(p));
    }

    [Fact]
    public void RoundTripsEveryField()
    {
        var p = new GenerationParameters
        {
            Prompt = "line one, with commas\nline two: colon",
            NegativePrompt = "blurry\nsecond negative line",
            Steps = 4, Sampler = "DPM++ 2M Karras", CfgScale = 1, Seed = 4294967295L, Width = 64, Height = 48, Model = "tiny, \"quoted\"",
        };
        p.LoraWeights["a"] = 0.4;
        p.LoraWeights["b-lora"] = 1.25;
        p.SetExtra("Sharpness", "2");

        var back = A1111Parameters.Parse(A1111Parameters.Format(p));

        Assert.Equal(p.Prompt, back.Prompt);
        Assert.Equal(p.NegativePrompt, back.NegativePrompt);
        Assert.Equal((4, "DPM++ 2M Karras", 1.0, 4294967295L, 64, 48, "tiny, \"quoted\""), (back.Steps, back.Sampler, back.CfgScale, back.Seed, back.Width, back.Height, back.Model));
        Assert.Equal(p.LoraWeights, back.LoraWeights);
        Assert.Equal(p.Extra, back.Extra);
    }

    [Fact]
    public void ReadsAutomatic1111sOwnText()
    {
        const string text = "masterpiece, a red chair <lora:wood:0.6>\n" +
            "Steps: 20, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 3649718455, Size: 512x768, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Lora hashes: \"wood: 1a2b3c\", Version: v1.6.0";

        var p = A1111Parameters.Parse(text);

        Assert.Equal("masterpiece, a red chair <lora:wood:0.6>", p.Prompt);
        Assert.Equal("", p.NegativePrompt);
        Assert.Equal(3649718455L, p.Seed);
        Assert.Equal((512, 768), (p.Width!.Value, p.Height!.Value));
        Assert.Contains(new KeyValuePair<string, string>("Lora hashes", "wood: 1a2b3c"), p.Extra);
        Assert.Contains(new KeyValuePair<string, string>("Version", "v1.6.0"), p.Extra);
    }

    [Fact]
    public void APromptWithoutParametersStaysAPrompt()
    {
        var p = A1111Parameters.Parse("just a prompt: with one colon");
        Assert.Equal("just a prompt: with one colon", p.Prompt);
        Assert.Null(p.Steps);
    }
}
