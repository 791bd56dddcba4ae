using NanoBanana.Text;

namespace NanoBanana.Engine.Tests.Text;

public class StructuredPromptTests
{
    [Fact]
    public void EachPartsAttributesArePhrasedNextToThatPart()
    {
        const string xml = """<product name="drone"><part name="propeller" material="carbon fibre" count="4"/><part name="battery" colour="grey"/></product>""";
        Assert.Equal("drone, 4 carbon fibre propeller, grey battery", StructuredPrompt.Flatten(xml));
    }

    [Fact]
    public void ElementNameIsTheNounWithoutANameAttributeAndTextFollowsIt()
    {
        const string xml = """
            <product name="kettle" colour="matte black">
              <lid material="steel">with a round knob</lid>
              <part name="base" count="1"/>
            </product>
            """;
        Assert.Equal("matte black kettle, steel lid with a round knob, 1 base", StructuredPrompt.Flatten(xml));
    }

    [Theory]
    [InlineData("a red drone on a table")]
    [InlineData("<lora:detail:0.8> a red drone")]
    [InlineData("")]
    public void PlainTextPassesThroughUnchanged(string prompt) => Assert.Equal(prompt, StructuredPrompt.Flatten(prompt));

    [Fact]
    public void MalformedXmlReportsLinePositionAndFix()
    {
        const string xml = "<product name=\"drone\">\n  <part name=\"arm\" count=4/>\n</product>";
        var error = Assert.Throws<StructuredPromptException>(() => StructuredPrompt.Flatten(xml));
        Assert.Equal(2, error.Line);
        Assert.True(error.Position > 0);
        Assert.Contains("line 2", error.Message);
        Assert.Contains("quote every attribute value", error.Message);
    }

    [Fact]
    public void PartsThatWouldOverflowAWindowAreSeparatedByBreak()
    {
        var tokenizer = TinyClipVocabulary.Create();
        // Each part phrase is 30 × "hello" = 30 tokens: two fit in a window (30 + 1 + 30), the third does not.
        string words = string.Join(" ", Enumerable.Repeat("hello", 29));
        string xml = $"""<product name="world"><part name="a">{words}</part><part name="a">{words}</part><part name="a">{words}</part></product>""";
        string flat = StructuredPrompt.Flatten(xml, tokenizer);
        Assert.Equal(1, flat.Split(" BREAK ").Length - 1);

        var windows = new PromptChunker(tokenizer).Chunk(flat);
        Assert.Equal(2, windows.Count);
        // The break falls between parts: the second window starts with a whole part phrase.
        Assert.Equal(TinyClipVocabulary.A, windows[1][1]);

        // Short structured prompts need no BREAK.
        Assert.DoesNotContain("BREAK", StructuredPrompt.Flatten("""<product name="hello"><part name="world"/></product>""", tokenizer));
    }
}
