using NanoBanana.Onnx;

namespace NanoBanana.Lora;

/// <summary>Whether a LoRA fits a model's UNet, checked when it is registered rather than at the first render.</summary>
public static class LoraCompatibility
{
    /// <summary>Maps <paramref name="entry"/> onto the UNet at <paramref name="unetPath"/>: a LoRA for another base
    /// model fails (shape mismatch, naming the key); keys matching no layer and text-encoder keys come back as a warning.</summary>
    /// <exception cref="InvalidDataException">The LoRA does not fit this UNet.</exception>
    public static string? Check(LoraEntry entry, string unetPath)
    {
        var unet = OnnxModelFile.Load(unetPath);
        var mapping = LoraTargetMapper.Map(unet.Graph, [entry.Adapter], LoraComponent.Unet);
        int textEncoderKeys = entry.Adapter.Targets.Count(t => t.Component != LoraComponent.Unet);
        string? textWarning = textEncoderKeys == 0 ? null : $"{textEncoderKeys} text-encoder key(s) are read but not applied (LoRA branches go into the UNet only).";
        return string.Join(" ", new[] { mapping.Warning, textWarning }.OfType<string>()) is { Length: > 0 } warning ? warning : null;
    }
}
