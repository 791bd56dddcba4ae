using System.Text.Json;
using NanoBanana.Imaging;

namespace NanoBanana.Engine.Tests.Imaging;

/// <summary>Expected values come from scikit-image 0.19.3 on the fixture PNGs (see skimage-ssim-expected.json).</summary>
public class ImageComparisonTests
{
    private static readonly string FixtureDirectory = Path.Combine(AppContext.BaseDirectory, "Imaging", "Fixtures");

    public static TheoryData<string, string, double, double, int, double> SkimageCases()
    {
        var data = new TheoryData<string, string, double, double, int, double>();
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixtureDirectory, "skimage-ssim-expected.json")));
        foreach (var c in json.RootElement.EnumerateArray())
            data.Add(c.GetProperty("reference").GetString()!, c.GetProperty("distorted").GetString()!, c.GetProperty("ssim").GetDouble(),
                c.GetProperty("psnr").GetDouble(), c.GetProperty("max").GetInt32(), c.GetProperty("differing").GetDouble());
        return data;
    }

    [Theory]
    [MemberData(nameof(SkimageCases))]
    public void MatchesScikitImage(string reference, string distorted, double ssim, double psnr, int max, double differing)
    {
        var result = ImageComparison.Compare(Read(reference), Read(distorted));

        Assert.Equal(ssim, result.Ssim, 1e-4);
        Assert.Equal(psnr, result.Psnr, 1e-6);
        Assert.Equal(max, result.MaxDifference);
        Assert.Equal(differing, result.DifferentPixelFraction, 1e-12);
    }

    [Fact]
    public void IdenticalImagesAreAPerfectMatch()
    {
        var image = Read("ssim-a-ref.png");
        var result = ImageComparison.Compare(image, image);
        Assert.Equal(1.0, result.Ssim, 1e-12);
        Assert.Equal(double.PositiveInfinity, result.Psnr);
        Assert.Equal(0, result.MaxDifference);
        Assert.Equal(0, result.DifferentPixelFraction);
    }

    [Fact]
    public void DifferentSizesAreAClearError()
    {
        var error = Assert.Throws<ImageSizeMismatchException>(() => ImageComparison.Compare(Read("ssim-a-ref.png"), Read("ssim-b-ref.png")));
        Assert.Contains("64x48", error.Message);
        Assert.Contains("31x17", error.Message);
    }

    [Fact]
    public void DiffImageMarksExactlyTheDifferingPixelsInRed()
    {
        var a = RgbaImage.CreateOpaque(3, 1);
        var b = RgbaImage.CreateOpaque(3, 1);
        b.Pixels[4 + 1] = 10; // middle pixel, green differs by 10

        var diff = ImageComparison.CreateDiffImage(a, b);

        Assert.Equal(new byte[] { 128, 128, 128, 255, 104, 0, 0, 255, 128, 128, 128, 255 }, diff.Pixels);
    }

    private static RgbaImage Read(string file) => ImageCodec.Read(Path.Combine(FixtureDirectory, file));
}
