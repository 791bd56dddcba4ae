using System.Text.RegularExpressions;

namespace NanoBanana.Text;

/// <summary>
/// Splits a prompt of any length into CLIP windows the way AUTOMATIC1111 does
/// (<c>FrozenCLIPEmbedderWithCustomWordsBase.tokenize_line</c>), so long prompts behave as A1111 users expect:
/// every 75 tokens start a new 77-token window (BOS + 75 + EOS, padded); the word <c>BREAK</c> (upper-case,
/// standing alone) ends the current window early; and when a window fills up while a comma lies within its
/// last <see cref="CommaBacktrack"/> tokens (A1111's <c>comma_padding_backtrack</c>, default 20), the text
/// after that comma moves to the next window so a phrase is not cut in two. The text encoder runs once per
/// window and the pipeline concatenates the embeddings along the sequence axis.
/// Not implemented: A1111's attention weights "(word:1.2)" and textual-inversion embeddings; brackets are
/// tokenised as plain text.
/// </summary>
public sealed partial class PromptChunker
{
    /// <summary>Tokens per window between BOS and EOS.</summary>
    public const int ChunkLength = ClipTokenizer.ContextLength - 2;

    /// <summary>A1111's default <c>comma_padding_backtrack</c>.</summary>
    public const int DefaultCommaBacktrack = 20;

    readonly ClipTokenizer _tokenizer;

    public PromptChunker(ClipTokenizer tokenizer, int commaBacktrack = DefaultCommaBacktrack)
    {
        _tokenizer = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
        if (commaBacktrack is < 0 or > ChunkLength) throw new ArgumentOutOfRangeException(nameof(commaBacktrack));
        CommaBacktrack = commaBacktrack;
    }

    /// <summary>How far back (in tokens) a full window looks for a comma to break at; 0 disables it.</summary>
    public int CommaBacktrack { get; }

    // A1111's re_break: BREAK as a whole word, swallowing the whitespace around it.
    [GeneratedRegex(@"\s*\bBREAK\b\s*", RegexOptions.Singleline)]
    private static partial Regex Break();

    /// <summary>The prompt as 77-token windows; an empty prompt gives one window.</summary>
    public IReadOnlyList<int[]> Chunk(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        int? comma = _tokenizer.CommaId;
        var windows = new List<int[]>();
        var chunk = new List<int>(ChunkLength);
        int lastComma = -1;

        void NextChunk()
        {
            windows.Add(_tokenizer.Window(chunk.ToArray()));
            chunk.Clear();
            lastComma = -1;
        }

        string[] parts = Break().Split(prompt);
        for (int p = 0; p < parts.Length; p++)
        {
            if (p > 0) NextChunk();
            foreach (int token in _tokenizer.Encode(parts[p]))
            {
                if (token == comma) lastComma = chunk.Count;
                else if (CommaBacktrack != 0 && chunk.Count == ChunkLength && lastComma != -1 && chunk.Count - lastComma <= CommaBacktrack)
                {
                    // Move everything after the comma into the next window.
                    int breakAt = lastComma + 1;
                    var moved = chunk.GetRange(breakAt, chunk.Count - breakAt);
                    chunk.RemoveRange(breakAt, chunk.Count - breakAt);
                    NextChunk();
                    chunk.AddRange(moved);
                }
                if (chunk.Count == ChunkLength) NextChunk();
                chunk.Add(token);
            }
        }
        if (chunk.Count > 0 || windows.Count == 0) NextChunk();
        return windows;
    }

    /// <summary>diffusers' truncation (<c>tokenizer(prompt, max_length=77, truncation=True)</c>): BOS, the first 75
    /// tokens, EOS, padded; and the text of the tokens it drops (empty when nothing is dropped). BREAK and comma
    /// back-tracking are A1111 chunking rules and do not apply.</summary>
    public (int[] Window, string Dropped) Truncate(string prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        int[] tokens = _tokenizer.Encode(prompt);
        string dropped = tokens.Length > ChunkLength ? _tokenizer.Decode(tokens[ChunkLength..]) : "";
        return (_tokenizer.Window(tokens), dropped);
    }

    /// <summary>
    /// Chunks both prompts and gives them the same window count by appending empty-prompt windows to the
    /// shorter one — A1111 pads the shorter conditioning with the empty prompt's embedding so that the
    /// conditional and unconditional UNet inputs have equal sequence lengths.
    /// </summary>
    public (IReadOnlyList<int[]> Prompt, IReadOnlyList<int[]> NegativePrompt) ChunkPair(string prompt, string negativePrompt)
    {
        var positive = Chunk(prompt).ToList();
        var negative = Chunk(negativePrompt).ToList();
        int[] empty = _tokenizer.Window([]);
        while (positive.Count < negative.Count) positive.Add(empty);
        while (negative.Count < positive.Count) negative.Add(empty);
        return (positive, negative);
    }
}
