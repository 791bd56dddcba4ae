namespace NanoBanana.Lora;

/// <summary>
/// How LoRA tensor names are spelled. Kohya: <c>lora_unet_down_blocks_0_..._to_q.lora_down.weight</c>
/// (module path with '_' for '.'); PEFT/diffusers: <c>unet.down_blocks.0....to_q.lora_A.weight</c>.
/// </summary>
public enum LoraKeyFormat { Kohya, Peft }
