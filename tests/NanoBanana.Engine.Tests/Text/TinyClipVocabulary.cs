using NanoBanana.Text;

namespace NanoBanana.Engine.Tests.Text;

/// <summary>
/// A hand-made CLIP-style vocabulary (byte-level symbols, "&lt;/w&gt;" word ends, ranked merges) small enough
/// that every expected id in the tests can be worked out by hand.
/// </summary>
internal static class TinyClipVocabulary
{
    public static readonly string[] Tokens =
    [
        "!", "a", "b", "c", "d", "e", "h", "l", "o", "r", "s", "w", "'", "Ã",             // 0..13
        "a</w>", "b</w>", "c</w>", "d</w>", "e</w>", "o</w>", "s</w>", ",</w>", "!</w>",     // 14..22
        "1</w>", "2</w>", "©</w>",                                                          // 23..25
        "he", "ll", "llo</w>", "hello</w>", "wo", "rl", "rld</w>", "world</w>",              // 26..33
        "bc</w>", "ab", "'s</w>",                                                            // 34..36
        "<|startoftext|>", "<|endoftext|>",                                                  // 37, 38
    ];

    public static readonly string[] Merges =
    [
        "#version: 0.2",
        "h e", "l l", "ll o</w>", "he llo</w>", "w o", "r l", "rl d</w>", "wo rld</w>",
        // "b c</w>" outranks "a b": "abc" must become a + bc</w>, not ab + c</w>.
        "b c</w>", "a b", "' s</w>",
    ];

    public const int Bos = 37, Eos = 38;
    public const int Hello = 29, World = 33, Comma = 21, A = 14;

    public static Dictionary<string, int> Vocab() => Tokens.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i);

    public static ClipTokenizer Create(string? padToken = null) => new(Vocab(), Merges, padToken);
}
