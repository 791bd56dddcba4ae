using NanoBanana.Onnx;

namespace NanoBanana.Synthetic;

/// <summary>
/// Writes AutoencoderKL's two halves as Optimum exports them: <c>vae_decoder</c> (post_quant_conv, decoder:
/// conv_in, mid block with single-head attention, up blocks of layers+1 ResNet blocks with nearest ×2
/// upsampling, GroupNorm/SiLU/conv_out) and <c>vae_encoder</c> (encoder with asymmetric-padded stride-2
/// downsampling, quant_conv; output the 8-channel mean/log-variance).
/// </summary>
internal sealed class VaeBuilder(ModuleEmitter e, VaeConfig config)
{
    const float Epsilon = 1e-6f;

    public void BuildDecoder(GraphIo io)
    {
        var c = config;
        int[] channels = c.BlockOutChannels;
        string z = io.FloatInput("latent_sample", "batch", VaeConfig.LatentChannels, "latent_height", "latent_width");
        z = e.Conv("post_quant_conv", z, VaeConfig.LatentChannels, VaeConfig.LatentChannels, 1);
        string h;
        using (e.Scope("decoder"))
        {
            int width = channels[^1];
            h = e.Conv("conv_in", z, VaeConfig.LatentChannels, width, 3);
            h = MidBlock(h, width);
            for (int up = 0; up < channels.Length; up++)
            {
                using var _ = e.Scope($"up_blocks.{up}");
                int outChannels = channels[channels.Length - 1 - up];
                for (int layer = 0; layer <= c.LayersPerBlock; layer++)
                {
                    h = e.ResnetBlock($"resnets.{layer}", h, width, outChannels, c.NormGroups, Epsilon);
                    width = outChannels;
                }
                if (up < channels.Length - 1) h = e.Upsample("upsamplers.0", h, width);
            }
            h = e.GroupNorm("conv_norm_out", h, c.NormGroups, width, Epsilon);
            using (e.Scope("conv_act")) h = e.Silu(h);
            h = e.Conv("conv_out", h, width, VaeConfig.ImageChannels, 3);
        }
        io.FloatOutput(h, "sample", "batch", VaeConfig.ImageChannels, "height", "width");
    }

    public void BuildEncoder(GraphIo io)
    {
        var c = config;
        int[] channels = c.BlockOutChannels;
        string x = io.FloatInput("sample", "batch", VaeConfig.ImageChannels, "height", "width");
        string h;
        using (e.Scope("encoder"))
        {
            int width = channels[0];
            h = e.Conv("conv_in", x, VaeConfig.ImageChannels, width, 3);
            for (int down = 0; down < channels.Length; down++)
            {
                using var _ = e.Scope($"down_blocks.{down}");
                for (int layer = 0; layer < c.LayersPerBlock; layer++)
                {
                    h = e.ResnetBlock($"resnets.{layer}", h, width, channels[down], c.NormGroups, Epsilon);
                    width = channels[down];
                }
                if (down < channels.Length - 1)
                    using (e.Scope("downsamplers.0"))
                    {
                        // diffusers pads (0, 1, 0, 1) before the stride-2 conv instead of padding symmetrically.
                        string padded = e.Op("Pad", [h, e.Ints(0, 0, 0, 0, 0, 0, 1, 1)]);
                        h = e.Conv("conv", padded, width, width, 3, stride: 2, pads: [0, 0, 0, 0]);
                    }
            }
            h = MidBlock(h, width);
            h = e.GroupNorm("conv_norm_out", h, c.NormGroups, width, Epsilon);
            using (e.Scope("conv_act")) h = e.Silu(h);
            h = e.Conv("conv_out", h, width, 2 * VaeConfig.LatentChannels, 3);
        }
        h = e.Conv("quant_conv", h, 2 * VaeConfig.LatentChannels, 2 * VaeConfig.LatentChannels, 1);
        io.FloatOutput(h, "latent_parameters", "batch", 2 * VaeConfig.LatentChannels, "latent_height", "latent_width");
    }

    string MidBlock(string h, int width)
    {
        using var _ = e.Scope("mid_block");
        h = e.ResnetBlock("resnets.0", h, width, width, config.NormGroups, Epsilon);
        h = SpatialAttention("attentions.0", h, width);
        return e.ResnetBlock("resnets.1", h, width, width, config.NormGroups, Epsilon);
    }

    /// <summary>The mid block's single-head attention over all H·W positions, with a residual connection.</summary>
    string SpatialAttention(string module, string x, int channels)
    {
        using var _ = e.Scope(module);
        string h = e.GroupNorm("group_norm", x, config.NormGroups, channels, Epsilon);
        h = e.Op("Transpose", [e.Op("Reshape", [h, e.Ints(0, channels, -1)])], OnnxAttribute.Ints("perm", 0, 2, 1));   // [B, HW, C]
        h = e.Attention(null, h, null, channels, channels, 1, ModuleEmitter.AttentionNames.VaeMid);
        h = e.Op("Reshape", [e.Op("Transpose", [h], OnnxAttribute.Ints("perm", 0, 2, 1)), e.Op("Shape", [x])]);
        return e.Op("Add", [h, x]);
    }
}
