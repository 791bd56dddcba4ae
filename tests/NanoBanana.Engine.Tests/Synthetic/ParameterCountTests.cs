using Xunit.Abstractions;
using NanoBanana.Models;
using NanoBanana.Synthetic;

namespace NanoBanana.Engine.Tests.Synthetic;

/// <summary>The full-size forge models have the real models' parameter counts (counted without writing weights).</summary>
public sealed class ParameterCountTests(ITestOutputHelper output)
{
    [Fact]
    public void FullSdxlMatchesThePublishedParameterCounts()
    {
        var report = SyntheticModelBuilder.CountParameters(new SyntheticModelOptions { Architecture = DiffusionArchitecture.StableDiffusionXL, Size = SyntheticModelSize.Full });
        foreach (var block in report.Blocks) output.WriteLine($"{block.Component,-16} {block.Block,-24} {block.Parameters,15:N0}");
        Assert.Equal(UnetConfig.SdxlParameters, report.ParametersOf(DiffusionModel.Unet));
        Assert.Equal(ClipTextConfig.VitLParameters, report.ParametersOf(DiffusionModel.TextEncoder));
        Assert.Equal(ClipTextConfig.BigGParameters, report.ParametersOf(DiffusionModel.TextEncoder2));
        long vae = report.ParametersOf(DiffusionModel.VaeDecoder) + report.ParametersOf(SyntheticModelBuilder.VaeEncoder);
        Assert.Equal(VaeConfig.PublishedParameters, vae);
    }

    [Fact]
    public void FullSd15UnetMatchesThePublishedParameterCount()
    {
        var report = SyntheticModelBuilder.CountParameters(new SyntheticModelOptions { Architecture = DiffusionArchitecture.StableDiffusion15, Size = SyntheticModelSize.Full });
        Assert.Equal(UnetConfig.Sd15Parameters, report.ParametersOf(DiffusionModel.Unet));
        Assert.Equal(ClipTextConfig.VitLParameters, report.ParametersOf(DiffusionModel.TextEncoder));
    }
}
