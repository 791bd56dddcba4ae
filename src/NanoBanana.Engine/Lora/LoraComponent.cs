namespace NanoBanana.Lora;

/// <summary>The pipeline part a LoRA target belongs to.</summary>
public enum LoraComponent { Unet, TextEncoder, TextEncoder2 }
