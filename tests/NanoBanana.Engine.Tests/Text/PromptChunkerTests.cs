using NanoBanana.Text;
using static NanoBanana.Engine.Tests.Text.TinyClipVocabulary;

namespace NanoBanana.Engine.Tests.Text;

public class PromptChunkerTests
{
    static readonly PromptChunker Chunker = new(Create());

    static string Repeat(string word, int count) => string.Join(" ", Enumerable.Repeat(word, count));

    static int[] Window(params int[] tokens)
    {
        var window = Enumerable.Repeat(Eos, 77).ToArray();
        window[0] = Bos;
        tokens.CopyTo(window, 1);
        return window;
    }

    static int[] Many(int id, int count) => Enumerable.Repeat(id, count).ToArray();

    [Fact]
    public void ShortPromptIsOneWindow()
    {
        var windows = Chunker.Chunk("hello, world");
        Assert.Equal([Window(Hello, Comma, World)], windows);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(75, 1)]
    [InlineData(76, 2)]
    [InlineData(150, 2)]
    [InlineData(151, 3)]
    public void EverySeventyFiveTokensStartANewWindow(int tokens, int windows) =>
        Assert.Equal(windows, Chunker.Chunk(Repeat("hello", tokens)).Count);

    [Fact]
    public void LongPromptWindowsAreExact()
    {
        var windows = Chunker.Chunk(Repeat("hello", 100));
        Assert.Equal([Window(Many(Hello, 75)), Window(Many(Hello, 25))], windows);
    }

    [Fact]
    public void BreakForcesAWindowBoundary()
    {
        Assert.Equal([Window(Hello), Window(World)], Chunker.Chunk("hello BREAK world"));
        Assert.Equal([Window(Hello), Window(World)], Chunker.Chunk("hello\nBREAK\nworld"));
        Assert.Equal(3, Chunker.Chunk("hello BREAK world BREAK a").Count);
        // Only the upper-case word on its own: these stay in one window.
        Assert.Single(Chunker.Chunk("hello break world"));
        Assert.Single(Chunker.Chunk("helloBREAK world"));
    }

    [Fact]
    public void AFullWindowBacktracksToARecentComma()
    {
        // 70 × hello, comma, 10 × world: the window fills 4 tokens after the comma, within 20, so those 4 move on.
        var windows = Chunker.Chunk(Repeat("hello", 70) + ", " + Repeat("world", 10));
        Assert.Equal([Window([.. Many(Hello, 70), Comma]), Window(Many(World, 10))], windows);
    }

    [Fact]
    public void ACommaFurtherBackThanTwentyTokensIsIgnored()
    {
        // Comma at position 50: the window fills 25 tokens later, beyond the backtrack, so it splits at 75.
        var windows = Chunker.Chunk(Repeat("hello", 50) + ", " + Repeat("world", 30));
        Assert.Equal([Window([.. Many(Hello, 50), Comma, .. Many(World, 24)]), Window(Many(World, 6))], windows);
    }

    [Fact]
    public void BacktrackCanBeDisabled()
    {
        var windows = new PromptChunker(Create(), commaBacktrack: 0).Chunk(Repeat("hello", 70) + ", " + Repeat("world", 10));
        Assert.Equal([Window([.. Many(Hello, 70), Comma, .. Many(World, 4)]), Window(Many(World, 6))], windows);
    }

    [Fact]
    public void NegativePromptIsPaddedToThePositiveWindowCountWithEmptyPrompts()
    {
        var (positive, negative) = Chunker.ChunkPair(Repeat("hello", 100) + " BREAK world", "");
        Assert.Equal(3, positive.Count);
        Assert.Equal(3, negative.Count);
        Assert.All(negative, window => Assert.Equal(Window(), window));

        var (shortPositive, longNegative) = Chunker.ChunkPair("hello", Repeat("world", 80));
        Assert.Equal(2, shortPositive.Count);
        Assert.Equal(Window(), shortPositive[1]);
        Assert.Equal(2, longNegative.Count);
    }

    [Fact]
    public void PaddingUsesTheTokenizersPadToken()
    {
        var window = new PromptChunker(Create(padToken: "!")).Chunk("hello")[0];
        Assert.Equal([Bos, Hello, Eos, 0, 0], window[..5]);
    }
}
