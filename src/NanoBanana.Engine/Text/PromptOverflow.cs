namespace NanoBanana.Text;

/// <summary>What happens to a prompt longer than CLIP's 75 tokens.</summary>
public enum PromptOverflow
{
    /// <summary>AUTOMATIC1111's way (the default): the prompt is split into 75-token windows, each encoded on its own
    /// and concatenated, so every word conditions the image (<see cref="PromptChunker"/>).</summary>
    Chunk,

    /// <summary>diffusers' way: the prompt is cut to its first 75 tokens (77 with BOS/EOS) and the rest is dropped
    /// and reported, reproducing what a diffusers pipeline renders.</summary>
    Truncate,
}
