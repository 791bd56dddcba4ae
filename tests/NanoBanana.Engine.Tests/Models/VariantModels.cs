using NanoBanana.Engine.Tests.Synthetic;
using NanoBanana.Synthetic;
using NanoBanana.Models;

namespace NanoBanana.Engine.Tests.Models;

/// <summary>Tiny synthetic folders of the variants users bring, built once per test class.</summary>
public sealed class VariantModels : ModelFolderFixture
{
    public VariantModels() : base("nb-variants-")
    {
        Sdxl = Build("tiny-sdxl", new SyntheticModelOptions { Seed = 7 });
        Sd15 = Build("tiny-sd15", new SyntheticModelOptions { Architecture = DiffusionArchitecture.StableDiffusion15, Seed = 7 });
        Sd2 = Build("tiny-sd2", new SyntheticModelOptions { Architecture = DiffusionArchitecture.StableDiffusion15, Variant = SyntheticModelVariant.StableDiffusion2, Seed = 7 });
        Turbo = Build("tiny-sdxl-turbo", new SyntheticModelOptions { Variant = SyntheticModelVariant.Turbo, Seed = 7 });
        Lcm = Build("tiny-sdxl-lcm", new SyntheticModelOptions { Variant = SyntheticModelVariant.LatentConsistency, Seed = 7 });
        Distilled = Build("tiny-sdxl-distilled", new SyntheticModelOptions { Variant = SyntheticModelVariant.Distilled, Seed = 7 });
        Refiner = Build("tiny-sdxl-refiner", new SyntheticModelOptions { Variant = SyntheticModelVariant.Refiner, Seed = 7 });
    }

    public string Sdxl { get; }
    public string Sd15 { get; }
    public string Sd2 { get; }
    public string Turbo { get; }
    public string Lcm { get; }
    public string Distilled { get; }
    public string Refiner { get; }
}
