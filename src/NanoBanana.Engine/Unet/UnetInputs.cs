namespace NanoBanana.Unet;

/// <summary>
/// One UNet evaluation in fp32, batch-first. <see cref="TextEmbeds"/>/<see cref="TimeIds"/> are SDXL's
/// added conditioning (null for SD 1.5). <see cref="TimestepCond"/> is an LCM's guidance embedding [B, D].
/// Runners convert to the model's declared dtypes.
/// </summary>
public sealed record UnetInputs(
    float[] Sample, int[] SampleShape, float Timestep,
    float[] EncoderHiddenStates, int[] EncoderHiddenStatesShape,
    float[]? TextEmbeds = null, int[]? TextEmbedsShape = null,
    float[]? TimeIds = null, int[]? TimeIdsShape = null,
    float[]? TimestepCond = null, int[]? TimestepCondShape = null)
{
    public int Batch => SampleShape[0];
}
