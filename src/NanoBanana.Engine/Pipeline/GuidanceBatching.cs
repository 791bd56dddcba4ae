namespace NanoBanana.Pipeline;

/// <summary>How classifier-free guidance evaluates the conditional and unconditional predictions.</summary>
public enum GuidanceBatching
{
    /// <summary>Two batch-1 UNet passes per step: half the activation memory of a batch of two ("memory-friendly CFG").</summary>
    Separate,

    /// <summary>One batch-2 pass [uncond, cond] per step, as diffusers does: faster where memory allows.</summary>
    Combined,
}
