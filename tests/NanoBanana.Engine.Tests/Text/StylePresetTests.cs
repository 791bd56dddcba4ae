using NanoBanana.Text;

namespace NanoBanana.Engine.Tests.Text;

public class StylePresetTests
{
    [Fact]
    public void NoneLeavesBothPromptsUnchanged() =>
        Assert.Equal(("a drone", "blurry"), StylePreset.None.Apply("a drone", "blurry"));

    [Theory]
    [InlineData(StylePreset.Knolling, "knolling", "white background", "overlapping")]
    [InlineData(StylePreset.ExplodedView, "exploded view", "along a single axis", "merged components")]
    [InlineData(StylePreset.TechnicalSchematic, "technical schematic", "annotations", "photorealistic")]
    public void PresetsAppendTheirVocabularyAfterTheSubject(StylePreset preset, string word, string detail, string negativeWord)
    {
        var (prompt, negative) = preset.Apply("a drone,", "blurry");
        Assert.StartsWith("a drone, ", prompt);
        Assert.Contains(word, prompt);
        Assert.Contains(detail, prompt);
        Assert.StartsWith("blurry, ", negative);
        Assert.Contains(negativeWord, negative);
        Assert.Contains("clutter", negative);
    }

    [Fact]
    public void EmptyNegativeGetsJustTheDefaults()
    {
        var (_, negative) = StylePreset.Knolling.Apply("a drone", "  ");
        Assert.StartsWith("overlapping parts", negative);
    }
}
