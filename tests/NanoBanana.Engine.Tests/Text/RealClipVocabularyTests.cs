using System.IO.Compression;
using System.Text;
using NanoBanana.Text;

namespace NanoBanana.Engine.Tests.Text;

/// <summary>
/// The tokenizer on the real CLIP vocabulary (openai/CLIP's bpe_simple_vocab_16e6.txt.gz, MIT, committed as a
/// fixture; the parity fixtures use a vocabulary trimmed to their prompts). The ids were computed with
/// transformers' CLIPTokenizer (4.37.0.dev0, slow tokenizer, no ftfy) on the same file, by the parity fixtures'
/// build script (Parity/Fixtures/README.md), and pinned here.
/// </summary>
public sealed class RealClipVocabularyTests
{
    static readonly Lazy<ClipTokenizer> Tokenizer = new(Load);

    /// <summary>vocab.json and merges.txt as Hugging Face derives them from openai/CLIP's file: the 256 byte symbols,
    /// the same with "&lt;/w&gt;", one token per merge (48,894 merges), then &lt;|startoftext|&gt;, &lt;|endoftext|&gt;.</summary>
    static ClipTokenizer Load()
    {
        using var gzip = new GZipStream(File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Text", "Fixtures", "bpe_simple_vocab_16e6.txt.gz")), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        var merges = reader.ReadToEnd().Split('\n')[1..(49152 - 256 - 2 + 1)];
        var bytes = ClipTokenizer.ByteSymbolsInVocabularyOrder().ToList();
        var tokens = bytes.Concat(bytes.Select(b => b + ClipTokenizer.EndOfWord)).Concat(merges.Select(m => m.Replace(" ", "", StringComparison.Ordinal)))
            .Append(ClipTokenizer.StartOfText).Append(ClipTokenizer.EndOfText).ToList();
        Assert.Equal(49408, tokens.Count);
        return new ClipTokenizer(tokens.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i), merges);
    }

    [Theory]
    [InlineData("exploded view of a camera drone, all parts laid flat", new[] { 49406, 28947, 1093, 539, 320, 3934, 9397, 267, 615, 5149, 11160, 6313, 49407 })]
    [InlineData("knolling of a mechanical keyboard", new[] { 49406, 4825, 562, 1358, 539, 320, 14467, 13017, 49407 })]
    [InlineData("A photo of an astronaut riding a horse on Mars!", new[] { 49406, 320, 1125, 539, 550, 18376, 6765, 320, 4558, 525, 7496, 256, 49407 })]
    [InlineData("4k HDR, f/1.8 -- product shot (studio) & co.", new[] { 49406, 275, 330, 28065, 267, 325, 270, 272, 269, 279, 2432, 4306, 2000, 263, 3155, 264, 261, 1320, 269, 49407 })]
    [InlineData("caf\u00e9 cr\u00e8me br\u00fbl\u00e9e   in   a   bowl", new[] { 49406, 15304, 1075, 12138, 614, 711, 127, 119, 75, 13489, 530, 320, 3814, 49407 })]
    public void Token_ids_equal_the_real_CLIPTokenizer(string prompt, int[] expected)
    {
        var tokenizer = Tokenizer.Value;
        Assert.Equal(expected, new[] { tokenizer.BosId }.Concat(tokenizer.Encode(prompt)).Append(tokenizer.EosId));
        // The window is the same ids padded with <|endoftext|> (tokenizer 1's pad) to 77.
        Assert.Equal(expected.Concat(Enumerable.Repeat(49407, 77 - expected.Length)), tokenizer.EncodeWindow(prompt));
    }

    [Fact]
    public void Decode_gives_back_the_cleaned_text_as_CLIPTokenizer_decodes_it()
    {
        var tokenizer = Tokenizer.Value;
        // Values from transformers' CLIPTokenizer.decode (clean_up_tokenization_spaces on, its default).
        Assert.Equal("4 k hdr, f / 1. 8 -- product shot ( studio ) & co.", tokenizer.Decode(tokenizer.Encode("4k HDR, f/1.8 -- product shot (studio) & co.")));
        Assert.Equal("caf\u00e9 cr\u00e8me", tokenizer.Decode(tokenizer.Encode("Caf\u00e9  cr\u00e8me")));
    }
}
