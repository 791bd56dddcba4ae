using SkiaSharp;
using NanoBanana.Imaging;

namespace NanoBanana.Engine.Tests.Imaging;

public sealed class ImageCodecTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nb-codec-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void PngRoundTripKeepsPixelsAlphaAndParameters()
    {
        var image = ImageCodec.Read(Path.Combine(AppContext.BaseDirectory, "Imaging", "Fixtures", "sharp-33x65-rgba.png"));
        image.Parameters.Prompt = "knolling of a keyboard, ünïcode ✓";
        image.Parameters.Seed = 42;
        string path = Path.Combine(_dir, "out.png");

        ImageCodec.WritePng(image, path, overwrite: false);
        var back = ImageCodec.Read(path);

        Assert.Equal(image.Pixels, back.Pixels);
        Assert.True(back.HasAlpha);
        Assert.Equal("knolling of a keyboard, ünïcode ✓", back.Parameters.Prompt);
        Assert.Equal(42, back.Parameters.Seed);
    }

    [Fact]
    public void RgbImagesAreWrittenWithoutAnAlphaChannel()
    {
        var image = RgbaImage.CreateOpaque(5, 4);
        string path = Path.Combine(_dir, "rgb.png");
        ImageCodec.WritePng(image, path, overwrite: false);
        byte colourType = File.ReadAllBytes(path)[25]; // IHDR colour type: 2 = RGB, 6 = RGBA
        Assert.Equal(2, colourType);
        Assert.False(ImageCodec.Read(path).HasAlpha);
    }

    [Theory]
    [InlineData(SKColorType.Gray8)]
    [InlineData(SKColorType.Rgba16161616)]
    public void GreyAndSixteenBitImagesBecomeRgba8(SKColorType type)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(6, 3, type, SKAlphaType.Opaque));
        bitmap.Erase(new SKColor(200, 200, 200));
        string path = Path.Combine(_dir, "grey.png");
        using (var data = bitmap.Encode(SKEncodedImageFormat.Png, 100)) File.WriteAllBytes(path, data.ToArray());

        var image = ImageCodec.Read(path);

        Assert.Equal((6, 3, false), (image.Width, image.Height, image.HasAlpha));
        Assert.Equal(new byte[] { 200, 200, 200, 255 }, image.Pixels[..4]);
    }

    [Fact]
    public void NonImagesAndTruncatedFilesAreClearErrors()
    {
        string text = Path.Combine(_dir, "notes.png");
        File.WriteAllText(text, "not an image");
        var notImage = Assert.Throws<ImageFormatException>(() => ImageCodec.Read(text));
        Assert.Contains("notes.png", notImage.Message);

        string full = Path.Combine(_dir, "full.png");
        ImageCodec.WritePng(RgbaImage.CreateOpaque(64, 64), full, overwrite: false);
        string truncated = Path.Combine(_dir, "truncated.png");
        File.WriteAllBytes(truncated, File.ReadAllBytes(full)[..60]);
        var damaged = Assert.Throws<ImageFormatException>(() => ImageCodec.Read(truncated));
        Assert.Contains("truncated.png", damaged.Message);

        Assert.Throws<FileNotFoundException>(() => ImageCodec.Read(Path.Combine(_dir, "missing.png")));
    }

    [Fact]
    public void DamagedTextChunksAreIgnoredNotFatal()
    {
        var png = ImageCodec.EncodePng(RgbaImage.CreateOpaque(2, 2, new GenerationParameters { Prompt = "p", Seed = 1, Steps = 2 }));
        png[33 + 3] = 0xFF; // the text chunk's length now runs past the end of the file
        Assert.Null(PngTextChunks.Read(png, ImageCodec.ParametersKeyword));
    }
}
