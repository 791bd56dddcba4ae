using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using NanoBanana.Imaging;

namespace NanoBanana.Engine.Tests.Imaging;

/// <summary>
/// Expected outputs were made with Pillow 9.4.0 itself (<c>ImageEnhance.Sharpness(img).enhance(f)</c>,
/// converted to RGBA) on the fixture PNGs, and pinned as SHA-256 of the RGBA bytes.
/// </summary>
public class PillowSharpnessTests
{
    private static readonly string FixtureDirectory = Path.Combine(AppContext.BaseDirectory, "Imaging", "Fixtures");

    public static TheoryData<string, string, string> PillowCases()
    {
        var data = new TheoryData<string, string, string>();
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDirectory, "pillow-sharpness-expected.json")));
        foreach (var fixture in json.RootElement.EnumerateArray())
            foreach (var expected in fixture.GetProperty("expected").EnumerateObject())
                data.Add(fixture.GetProperty("file").GetString()!, expected.Name, expected.Value.GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(PillowCases))]
    public void MatchesPillowByteForByte(string file, string factor, string expectedSha256)
    {
        var image = ImageCodec.Read(Path.Combine(FixtureDirectory, file));

        var sharpened = PillowSharpness.Apply(image, double.Parse(factor, CultureInfo.InvariantCulture));

        Assert.Equal(expectedSha256, Convert.ToHexStringLower(SHA256.HashData(sharpened.Pixels)));
    }

    [Fact]
    public void AlphaIsUntouchedAndTheFactorIsRecorded()
    {
        var image = ImageCodec.Read(Path.Combine(FixtureDirectory, "sharp-33x65-rgba.png"));

        var sharpened = PillowSharpness.Apply(image, 3);

        Assert.True(sharpened.HasAlpha);
        for (int i = 3; i < image.Pixels.Length; i += 4) Assert.Equal(image.Pixels[i], sharpened.Pixels[i]);
        Assert.Contains(new KeyValuePair<string, string>("Sharpness", "3"), sharpened.Parameters.Extra);
        Assert.NotEqual(image.Pixels, sharpened.Pixels);
    }

    [Theory]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void RejectsFactorsPillowCannotMean(double factor)
    {
        var image = RgbaImage.CreateOpaque(4, 4);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => PillowSharpness.Apply(image, factor));
        Assert.Contains("-Factor", error.Message);
    }
}
