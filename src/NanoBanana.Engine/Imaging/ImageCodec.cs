using NanoBanana.Layout;
using NanoBanana.Limits;
using SkiaSharp;

namespace NanoBanana.Imaging;

/// <summary>
/// Reads images (PNG, JPEG, WebP, BMP, GIF; grey, palette and 16-bit sources become RGBA8) with the
/// generation parameters a PNG carries, and writes PNGs with those parameters in A1111's format.
/// </summary>
public static class ImageCodec
{
    public const string ParametersKeyword = "parameters";

    public static RgbaImage Read(string path)
    {
        return Decode(ReadBytes(path), path);
    }

    /// <summary>The generation parameters an image file carries, without decoding its pixels (a 20000² PNG's
    /// metadata costs its file read, not 1.6 GB of RGBA).</summary>
    public static GenerationParameters ReadParameters(string path)
    {
        byte[] data = ReadBytes(path);
        using (var codec = SKCodec.Create(new SKMemoryStream(data), out var result))
            if (codec is null) throw NotAnImage(path, result);
        return ParametersOf(data);
    }

    static byte[] ReadBytes(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"Cannot find the image '{path}'. Check the path.", path, ex);
        }
    }

    static ImageFormatException NotAnImage(string sourceName, SKCodecResult result) =>
        new($"'{sourceName}' is not an image this module can read ({result}). Use a PNG, JPEG, WebP, BMP or GIF file.");

    static GenerationParameters ParametersOf(byte[] data) =>
        PngTextChunks.Read(data, ParametersKeyword) is { } text ? A1111Parameters.Parse(text) : new GenerationParameters();

    /// <summary>Refuses sizes no RGBA buffer here can hold (or the machine's memory cannot), before anything is allocated.</summary>
    public static void CheckSize(long width, long height, string item)
    {
        const string fix = "Reduce the image with another tool first.";
        InputLimits.Check(item, "the image width", width, InputLimits.MaxImageSide, fix);
        InputLimits.Check(item, "the image height", height, InputLimits.MaxImageSide, fix);
        InputLimits.Check(item, $"the pixel count of {width}x{height}", width * height, InputLimits.MaxImagePixels(), fix);
    }

    /// <summary>Decodes image bytes; <paramref name="sourceName"/> names the source in errors.</summary>
    public static RgbaImage Decode(byte[] data, string sourceName)
    {
        using var codec = SKCodec.Create(new SKMemoryStream(data), out var result);
        if (codec is null) throw NotAnImage(sourceName, result);
        CheckSize(codec.Info.Width, codec.Info.Height, sourceName);

        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var pixels = new byte[info.BytesSize];
        SKCodecResult decoded;
        unsafe
        {
            fixed (byte* p = pixels) decoded = codec.GetPixels(info, (IntPtr)p);
        }
        if (decoded != SKCodecResult.Success)
            throw new ImageFormatException($"'{sourceName}' is damaged or truncated ({decoded}). Re-export or re-download the file.");

        bool hasAlpha = codec.Info.AlphaType != SKAlphaType.Opaque;
        var parameters = ParametersOf(data);
        parameters.Layout = ReadLayout(data);
        return new RgbaImage(info.Width, info.Height, pixels, hasAlpha, parameters);
    }

    /// <summary>Lossless PNG (RGB when the image has no alpha, else RGBA) with the parameters text chunk.</summary>
    public static byte[] EncodePng(RgbaImage image)
    {
        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, image.HasAlpha ? SKAlphaType.Unpremul : SKAlphaType.Opaque);
        byte[] png;
        unsafe
        {
            fixed (byte* p = image.Pixels)
            {
                using var pixmap = new SKPixmap(info, (IntPtr)p, image.Stride);
                using var data = pixmap.Encode(SKEncodedImageFormat.Png, 100)
                    ?? throw new InvalidOperationException($"SkiaSharp could not encode a {image.Width}x{image.Height} PNG.");
                png = data.ToArray();
            }
        }
        if (image.Parameters.Layout is { } layout) png = PngTextChunks.Insert(png, PartLayout.PngKeyword, layout.ToJson());
        return image.Parameters.IsEmpty ? png : PngTextChunks.Insert(png, ParametersKeyword, A1111Parameters.Format(image.Parameters));
    }

    // A damaged layout chunk reads as none: the pixels are still good, and the layout cmdlets say the image has none.
    static PartLayout? ReadLayout(byte[] png)
    {
        if (PngTextChunks.Read(png, PartLayout.PngKeyword) is not { } json) return null;
        try
        {
            return PartLayout.FromJson(json);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Writes the PNG atomically; refuses to replace an existing file unless <paramref name="overwrite"/>.</summary>
    public static void WritePng(RgbaImage image, string path, bool overwrite)
    {
        AtomicFileWriter.Write(path, EncodePng(image), overwrite);
    }
}
