using NanoBanana.Text;

namespace NanoBanana.Pipeline;

/// <summary>
/// The text conditioning of one prompt: encoder hidden states [1, 77·k, D] and, for SDXL, the pooled
/// embedding [1, P] from the first chunk.
/// </summary>
public sealed record TextConditioning(float[] HiddenStates, int SequenceLength, int HiddenSize, float[]? Pooled)
{
    public int Chunks => SequenceLength / Text.ClipTokenizer.ContextLength;

    /// <summary>The same shape filled with zeros: SDXL's unconditional embedding for an empty negative prompt.</summary>
    public TextConditioning Zeros() => this with
    {
        HiddenStates = new float[HiddenStates.Length],
        Pooled = Pooled is null ? null : new float[Pooled.Length],
    };
}
