using NanoBanana.Models;

namespace NanoBanana.Synthetic;

/// <summary>An AutoencoderKL (diffusers' <c>vae/config.json</c>): four levels, 8× spatial compression.</summary>
public sealed record VaeConfig(int[] BlockOutChannels, int LayersPerBlock, int NormGroups, float ScalingFactor)
{
    public const int LatentChannels = 4, ImageChannels = 3;

    /// <summary>Published: the SD/SDXL AutoencoderKL has 83,653,863 parameters (encoder, decoder and both quant convs).</summary>
    public const long PublishedParameters = 83_653_863;

    public static VaeConfig For(DiffusionArchitecture architecture, SyntheticModelSize size)
    {
        float scaling = architecture == DiffusionArchitecture.StableDiffusionXL ? 0.13025f : 0.18215f;
        return size switch
        {
            SyntheticModelSize.Full => new([128, 256, 512, 512], 2, 32, scaling),
            SyntheticModelSize.Small => new([32, 64, 128, 128], 1, 32, scaling),
            _ => new([32, 32, 32, 32], 1, 32, scaling),
        };
    }
}
