using NanoBanana.Engine.Tests.Synthetic;
using NanoBanana.Models;
using NanoBanana.Synthetic;

namespace NanoBanana.Engine.Tests.Pipeline;

/// <summary>Forge folders for the pipeline tests: tiny SDXL and SD 1.5, a tiny fp16 SDXL with the legacy I/O
/// contract (int32 ids, int64 timestep[batch]), a Small SDXL whose UNet takes long enough at 512×512 for a test to
/// cancel inside a run, and a tiny SDXL with a purely local VAE decoder for tiling tests.</summary>
public sealed class TinyModels : ModelFolderFixture
{
    public TinyModels() : base("nb-pipeline-")
    {
        Xl = Build("tiny-sdxl", new SyntheticModelOptions { Seed = 11 });
        Sd15 = Build("tiny-sd15", new SyntheticModelOptions { Architecture = DiffusionArchitecture.StableDiffusion15, Seed = 11 });
        LegacyXl = Build("legacy-sdxl", new SyntheticModelOptions { Seed = 11, Precision = ModelPrecision.Float16, LegacyIo = true });
        SlowXl = Build("small-sdxl", new SyntheticModelOptions { Seed = 11, Size = SyntheticModelSize.Small });
        LocalVaeXl = Build("local-vae-sdxl", new SyntheticModelOptions { Seed = 11 });
        LocalVaeDecoder.Write(Path.Combine(LocalVaeXl, "vae_decoder", "model.onnx"));
    }

    public string Xl { get; }
    public string Sd15 { get; }
    public string SlowXl { get; }
    public string LegacyXl { get; }

    /// <summary>Tiny SDXL whose VAE decoder is purely local (<see cref="LocalVaeDecoder"/>), for tiling tests.</summary>
    public string LocalVaeXl { get; }
}
