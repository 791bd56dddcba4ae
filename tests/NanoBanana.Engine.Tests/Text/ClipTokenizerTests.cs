using System.Text.Json;
using NanoBanana.Text;
using static NanoBanana.Engine.Tests.Text.TinyClipVocabulary;

namespace NanoBanana.Engine.Tests.Text;

public class ClipTokenizerTests
{
    [Fact]
    public void MergesFollowRankAndEndOfWord()
    {
        var tokenizer = Create();
        Assert.Equal([Hello, World], tokenizer.Encode("hello world"));
        // Rank order: "b c</w>" (rank 8) beats "a b" (rank 9).
        Assert.Equal([1, 34], tokenizer.Encode("abc"));
        // "a b" only applies where b is not word-final: "ab" ends in "b</w>", so no merge.
        Assert.Equal([1, 15], tokenizer.Encode("ab"));
        // "he" inside a word merges; a word-final "e" stays "e</w>".
        Assert.Equal([26, 18], tokenizer.Encode("hee"));
    }

    [Fact]
    public void PreTokenisationSplitsLikeClip()
    {
        var tokenizer = Create();
        // Punctuation runs, contractions, and digits one at a time.
        Assert.Equal([Hello, Comma, World, 22], tokenizer.Encode("hello, world!"));
        Assert.Equal([2, 8, 15, 36], tokenizer.Encode("bob's"));
        Assert.Equal([23, 24], tokenizer.Encode("12"));
    }

    [Fact]
    public void CleaningLowerCasesCollapsesWhitespaceAndUnescapesHtml()
    {
        var tokenizer = Create();
        Assert.Equal([Hello, World], tokenizer.Encode("  HELLO \n\t World  "));
        Assert.Equal("a & b", ClipTokenizer.Clean("A &amp;amp; B"));
    }

    [Fact]
    public void NonAsciiGoesThroughTheByteAlphabet()
    {
        // é is UTF-8 C3 A9 → byte characters "Ã" and "©".
        Assert.Equal([13, 25], Create().Encode("é"));
    }

    [Fact]
    public void UnknownSymbolsAndSpecialTokens()
    {
        var tokenizer = Create();
        Assert.Equal([tokenizer.UnknownId], tokenizer.Encode("z"));
        Assert.Equal(Eos, tokenizer.UnknownId);
        Assert.Equal([Bos, Hello, Eos], tokenizer.Encode("<|startoftext|>hello<|endoftext|>"));
    }

    [Fact]
    public void WindowIsBosTokensEosThenPad()
    {
        var window = Create().EncodeWindow("hello world");
        Assert.Equal(77, window.Length);
        Assert.Equal([Bos, Hello, World, Eos], window[..4]);
        Assert.All(window[4..], id => Assert.Equal(Eos, id));

        var sdxl2 = Create(padToken: "!").EncodeWindow("hello world");
        Assert.Equal([Bos, Hello, World, Eos], sdxl2[..4]);
        Assert.All(sdxl2[4..], id => Assert.Equal(0, id));

        // Truncation keeps BOS … EOS.
        var longWindow = Create().EncodeWindow(string.Join(" ", Enumerable.Repeat("hello", 100)));
        Assert.Equal(Bos, longWindow[0]);
        Assert.Equal(Eos, longWindow[76]);
        Assert.All(longWindow[1..76], id => Assert.Equal(Hello, id));
    }

    [Fact]
    public void LoadsATokenizerFolderAndItsPadToken()
    {
        string folder = Directory.CreateTempSubdirectory("cliptok").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "vocab.json"), JsonSerializer.Serialize(Vocab()));
            File.WriteAllLines(Path.Combine(folder, "merges.txt"), Merges);
            Assert.Equal(Eos, ClipTokenizer.Load(folder).PadId);

            // SDXL's tokenizer_2 writes pad_token as an AddedToken object.
            File.WriteAllText(Path.Combine(folder, "special_tokens_map.json"),
                """{"bos_token":"<|startoftext|>","pad_token":{"content":"!","lstrip":false,"normalized":false,"rstrip":false,"single_word":false}}""");
            var tokenizer = ClipTokenizer.Load(folder);
            Assert.Equal(0, tokenizer.PadId);
            Assert.Equal([Hello, World], tokenizer.Encode("Hello World"));

            File.Delete(Path.Combine(folder, "special_tokens_map.json"));
            File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), """{"pad_token":"<|endoftext|>","model_max_length":77}""");
            Assert.Equal(Eos, ClipTokenizer.Load(folder).PadId);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void MissingFilesAreReportedClearly()
    {
        var error = Assert.Throws<FileNotFoundException>(() => ClipTokenizer.Load("/nonexistent/tokenizer"));
        Assert.Contains("vocab.json", error.Message);
    }
}
