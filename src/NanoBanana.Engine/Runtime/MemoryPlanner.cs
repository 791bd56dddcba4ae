using Microsoft.ML.OnnxRuntime.Tensors;
using System.Text.Json;
using NanoBanana.Models;

namespace NanoBanana.Runtime;

/// <summary>
/// Estimates a render's peak memory per mode from the model itself: resident weights from each component's
/// initializers (and the UNet's segments), UNet activations from unet/config.json at the render's resolution and
/// batch (per level: the self-attention scores, scaled scores and softmax, 3 × batch × heads × tokens² × 4 bytes — none
/// when the attention is fused, whose kernels work on tiles — and the feature maps with every skip connection held for
/// the up blocks), and the VAE decoder's largest activations (its full-resolution maps, or per tile when tiled), each in
/// the precision the device computes them in.
/// Computed, not typed in. What a mode keeps resident is <see cref="MemoryPolicy"/>'s business; this class only
/// measures shapes.
/// </summary>
public static class MemoryPlanner
{
    /// <summary>ONNX Runtime, .NET and the engine before any model is loaded (measured on this machine: ~170 MiB).</summary>
    public const long RuntimeBytes = 200L << 20;

    const int FloatBytes = 4, HalfBytes = 2;

    /// <summary>The VAE decoder's full-resolution working set in maps of its top level's width: measured 4.0–5.3 KB
    /// per pixel above the loaded model on full-size SDXL's decoder (whole decodes of 384² to 896², bench
    /// <c>vae-run</c>), about eleven 128-channel fp32 maps — the upsampled 256-channel map entering the last up block,
    /// its convolution's output, a ResNet's normalised, activated and convolved maps and ORT's blocked-layout copies.</summary>
    const int VaeFullResolutionMaps = 11;

    /// <summary>What the planner needs to know about a model: weight bytes per part as resident on the device and the
    /// UNet's shape; <see cref="ResidentBytesPerFileByte"/> converts back to the file bytes segments are cut and counted
    /// in (3 for an fp16 UNet on the CPU, 1 where weights load as stored); <see cref="UnetElementBytes"/> and
    /// <see cref="VaeElementBytes"/> are the bytes of one activation (<see cref="ActivationElementBytes"/>);
    /// <see cref="Name"/> says which model (or which published shapes) it describes.</summary>
    public sealed record ModelShape(string Name, long TextEncoderBytes, long UnetBytes, long VaeDecoderBytes, int[] BlockOutChannels, int[] Heads, bool[] HasAttention, int VaeWidth,
        bool UnetAttentionFused = false, double ResidentBytesPerFileByte = 1, int UnetElementBytes = FloatBytes, int VaeElementBytes = FloatBytes);

    /// <summary>The bytes of one activation of a graph on <paramref name="device"/>: a card computes an fp16 graph
    /// (<paramref name="halfGraph"/>) in fp16; ORT's CPU provider has no fp16 kernels for the standard operators and
    /// computes in fp32.</summary>
    public static int ActivationElementBytes(ExecutionDevice device, bool halfGraph) =>
        device == ExecutionDevice.Cuda && halfGraph ? HalfBytes : FloatBytes;

    /// <param name="device">Where the weights will live: on the CPU an fp16 weight costs three times its file bytes —
    /// the mapped file and the fp32 copy the provider casts it to (measured: full-size fp16 SDXL UNet, bench/RESULTS.md).</param>
    public static ModelShape Describe(DiffusionModel model, ExecutionDevice device)
    {
        long Bytes(string component) => model.Components.TryGetValue(component, out var c)
            ? c.WeightBytes + (device == ExecutionDevice.Cpu ? 2 * c.HalfWeightBytes : 0) : 0;
        bool Fused(string component) => model.Components.TryGetValue(component, out var c) && c.FusedAttention;
        int ElementBytes(string component, string latentInput) => ActivationElementBytes(device,
            model.Components.TryGetValue(component, out var c) && c.Inputs.FirstOrDefault(i => i.Name == latentInput)?.ElementType == TensorElementType.Float16);
        string configPath = Path.Combine(model.Folder, DiffusionModel.Unet, "config.json");
        int[] channels = [320, 640, 1280], heads = [5, 10, 20];
        bool[] attention = [false, true, true];
        if (File.Exists(configPath))
        {
            var config = ModelConfigFile.Read(configPath);
            channels = ModelConfigFile.Integers(config, "block_out_channels", configPath, 1, 1 << 16)
                ?? throw new InvalidDataException($"'{configPath}' has no block_out_channels. Copy unet/config.json from the original model.");
            heads = config.TryGetProperty("attention_head_dim", out var headDims) && headDims.ValueKind == JsonValueKind.Array
                ? ModelConfigFile.Integers(config, "attention_head_dim", configPath, 1, 1 << 12)!
                : Enumerable.Repeat(ModelConfigFile.Number(config, "attention_head_dim", configPath) is double h && h is >= 1 and <= 1 << 12 ? (int)h : 8, channels.Length).ToArray();
            attention = ModelConfigFile.Strings(config, "down_block_types", configPath)?.Select(t => t.StartsWith("CrossAttn", StringComparison.Ordinal)).ToArray()
                ?? channels.Select(_ => true).ToArray();
            if (heads.Length != channels.Length || attention.Length != channels.Length)
                throw new InvalidDataException($"'{configPath}': block_out_channels, attention_head_dim and down_block_types list different numbers of levels. Copy unet/config.json from the original model.");
        }
        // The decoder's widest level (at full resolution) is the first of the VAE's block_out_channels.
        string vaeConfig = Path.Combine(model.Folder, DiffusionModel.VaeDecoder, "config.json");
        int vaeWidth = File.Exists(vaeConfig) && ModelConfigFile.Integers(ModelConfigFile.Read(vaeConfig), "block_out_channels", vaeConfig, 1, 1 << 16) is { } vae
            ? vae[0] : 128;
        long unetFileBytes = model[DiffusionModel.Unet].WeightBytes, unetBytes = Bytes(DiffusionModel.Unet);
        return new ModelShape(model.Folder, Bytes(DiffusionModel.TextEncoder) + Bytes(DiffusionModel.TextEncoder2), unetBytes,
            Bytes(DiffusionModel.VaeDecoder), channels, heads, attention, vaeWidth, Fused(DiffusionModel.Unet),
            unetFileBytes > 0 ? (double)unetBytes / unetFileBytes : 1, ElementBytes(DiffusionModel.Unet, "sample"), ElementBytes(DiffusionModel.VaeDecoder, "latent_sample"));
    }

    /// <summary>The peak activation bytes of one UNet evaluation of <paramref name="batch"/> images.</summary>
    public static long UnetActivationBytes(ModelShape shape, int width, int height, int batch)
    {
        long skips = 0, peak = 0;
        for (int level = 0; level < shape.BlockOutChannels.Length; level++)
        {
            long h = Math.Max(1, height / 8 >> level), w = Math.Max(1, width / 8 >> level), tokens = h * w;
            long map = batch * shape.BlockOutChannels[level] * tokens * shape.UnetElementBytes;
            skips += 3 * map; // two resnet outputs and the downsample (or conv_in) per level, held for the up path
            // Scores, scaled scores and softmax probabilities: three tokens² tensors per head (fused: Q, K, V copies, in
            // fp32 on every device, as the fusion keeps the export's casts around the attention).
            long attention = !shape.HasAttention[level] ? 0 : shape.UnetAttentionFused ? 3L * batch * shape.BlockOutChannels[level] * tokens * FloatBytes
                : 3L * batch * shape.Heads[level] * tokens * tokens * shape.UnetElementBytes;
            // Inside a block: the attention scores and their softmax, the GEGLU's 8C projection, a few maps.
            long working = Math.Max(attention, 8 * map) + 4 * map;
            peak = Math.Max(peak, working);
        }
        return skips + peak;
    }

    /// <summary>The VAE decoder's peak, per tile when <paramref name="tilePixels"/> is set: the larger of its
    /// full-resolution working set (<see cref="VaeFullResolutionMaps"/>) and the mid block's single-head attention over
    /// the latent positions (scores, scaled scores, softmax: three tokens² tensors), which are alive at different times.
    /// Counting three maps plus the scores underestimated decodes of 256² to 768² by 25–46 % (bench/RESULTS.md).</summary>
    public static long VaeActivationBytes(ModelShape shape, int width, int height, int? tilePixels)
    {
        long w = tilePixels is int t ? Math.Min(width, t) : width, h = tilePixels is int u ? Math.Min(height, u) : height;
        long latentTokens = w / 8 * (h / 8);
        return Math.Max((long)VaeFullResolutionMaps * shape.VaeWidth * w * h, 3 * latentTokens * latentTokens) * shape.VaeElementBytes;
    }
}
