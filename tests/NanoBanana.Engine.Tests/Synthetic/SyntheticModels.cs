using NanoBanana.Models;
using NanoBanana.Synthetic;

namespace NanoBanana.Engine.Tests.Synthetic;

/// <summary>Tiny forge folders built once per test class: SDXL and SD 1.5 in both linear styles, and an fp16
/// SDXL with the legacy I/O contract (int32 ids, int64 timestep[batch]).</summary>
public sealed class SyntheticModels : ModelFolderFixture
{
    public SyntheticModels() : base("nb-forge-")
    {
        Xl = Build("tiny-sdxl", new SyntheticModelOptions { Seed = 7 });
        XlTorch = Build("tiny-sdxl-torch", new SyntheticModelOptions { Seed = 7, LinearStyle = LinearStyle.TorchExport });
        Sd15 = Build("tiny-sd15", new SyntheticModelOptions { Architecture = DiffusionArchitecture.StableDiffusion15, Seed = 7 });
        XlHalfLegacy = Build("tiny-sdxl-fp16", new SyntheticModelOptions { Seed = 7, Precision = ModelPrecision.Float16, LegacyIo = true });
    }

    public string Xl { get; }
    public string XlTorch { get; }
    public string Sd15 { get; }
    public string XlHalfLegacy { get; }
}
