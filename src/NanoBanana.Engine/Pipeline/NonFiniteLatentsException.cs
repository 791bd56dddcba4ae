namespace NanoBanana.Pipeline;

/// <summary>The latents held NaN or infinity after a denoising step: the model, a LoRA or the scheduler produced
/// numbers that are not numbers. The render stops at that step instead of decoding a black image.</summary>
public sealed class NonFiniteLatentsException(int step, int totalSteps, float value)
    : ArithmeticException($"The latents became {value} at denoising step {step} of {totalSteps}, so the image would be black. " +
        "Check the LoRAs applied (Get-LoraWeight; remove one with Remove-Lora or lower its weight), try a lower -CfgScale, " +
        "or check the model's weights and scheduler config (Test-NanoBananaModel).")
{
    public int Step { get; } = step;

    public int TotalSteps { get; } = totalSteps;
}
