using NanoBanana.Unet;

namespace NanoBanana.Pipeline;

/// <summary>One UNet evaluation's inputs for a batch of latents of one shape, each under its own conditioning and
/// SDXL time ids (batch order as given), and an LCM's guidance embedding for every item. Conditionings batched together
/// must have the same sequence length.</summary>
internal static class UnetBatch
{
    public static UnetInputs Create(IReadOnlyList<(float[] Sample, TextConditioning Conditioning, float[]? TimeIds)> items, int channels, int height, int width, float timestep,
        float[]? timestepCond = null)
    {
        int batch = items.Count;
        var first = items[0].Conditioning;
        var samples = items.SelectMany(i => i.Sample).ToArray();
        var hidden = items.SelectMany(i => i.Conditioning.HiddenStates).ToArray();
        float[]? pooled = first.Pooled is null ? null : items.SelectMany(i => i.Conditioning.Pooled!).ToArray();
        float[]? ids = items[0].TimeIds is null ? null : items.SelectMany(i => i.TimeIds!).ToArray();
        return new UnetInputs(samples, [batch, channels, height, width], timestep,
            hidden, [batch, first.SequenceLength, first.HiddenSize],
            pooled, pooled is null ? null : [batch, first.Pooled!.Length],
            ids, ids is null ? null : [batch, items[0].TimeIds!.Length],
            timestepCond is null ? null : Enumerable.Repeat(timestepCond, batch).SelectMany(x => x).ToArray(),
            timestepCond is null ? null : [batch, timestepCond.Length]);
    }
}
