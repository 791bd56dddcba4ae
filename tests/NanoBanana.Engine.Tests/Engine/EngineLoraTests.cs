using NanoBanana.Engine.Tests.Synthetic;
using NanoBanana.Lora;
using NanoBanana.Runtime;

namespace NanoBanana.Engine.Tests.Engine;

public sealed class EngineLoraTests(SyntheticModels models) : IClassFixture<SyntheticModels>, IDisposable
{
    readonly string _home = Directory.CreateTempSubdirectory("nb-engine-lora-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public void A_lora_for_another_base_model_is_refused_when_set_and_text_encoder_keys_are_reported()
    {
        using var engine = new NanoBananaEngine(new EngineOptions { UserDataDirectory = _home });
        engine.OpenSession(new EngineSessionOptions { ModelPath = models.Xl });
        string sd15Lora = Path.Combine(_home, "sd15.safetensors"), textLora = Path.Combine(_home, "te.safetensors");
        SyntheticLora.Create(models.Sd15, sd15Lora, 2, LoraKeyFormat.Kohya, 1);
        SyntheticLora.Create(models.Xl, textLora, 2, LoraKeyFormat.Kohya, 1, component: LoraComponent.TextEncoder);

        var error = Assert.Throws<InvalidDataException>(() => engine.SetLora(sd15Lora, "sd15", 0.8));
        Assert.Contains("lora_unet_", error.Message);
        Assert.Contains("different base model", error.Message);
        Assert.Empty(engine.Loras.Entries);

        var (entry, warning) = engine.SetLora(textLora, "te", 0.8);
        Assert.Equal("te", entry.Name);
        Assert.Contains("text-encoder key(s) are read but not applied", warning);
    }
}
