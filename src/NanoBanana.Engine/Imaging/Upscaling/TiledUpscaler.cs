using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NanoBanana.Imaging;

namespace NanoBanana.Imaging.Upscaling;

/// <summary>
/// Runs a super-resolution model over an image tile by tile. The image is seen as mirrored
/// (reflect-101) for <see cref="EdgePadding"/> pixels beyond its edges, as realesrgan-ncnn-vulkan and
/// upscayl do, and each tile gets the model's whole receptive field as context from that padded image,
/// so tiling does not change the result. Working memory depends on the tile size, not
/// the image size; the output is written tile by tile, and a final scale that divides the model's
/// (×2 from ×4) is reached by averaging blocks inside each tile, so the ×4 image is never held.
/// Colour goes through the model; alpha is upscaled separately with bicubic interpolation.
/// </summary>
public sealed class TiledUpscaler(InferenceSession session, ReceptiveField field, string modelName)
{
    /// <summary>Mirrored pixels beyond the image edge, as the reference tools pad (their tile padding is 10).</summary>
    public const int EdgePadding = 10;

    /// <summary>Tiles larger than this would need gigabytes of activations per tile, defeating tiling.</summary>
    public const int MaxTileSize = 4096;

    public ReceptiveField Field { get; } = field;

    public RgbaImage Upscale(RgbaImage input, UpscaleOptions options, IProgress<UpscaleProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (options.Scale < 1 || options.Scale > Field.Scale)
            throw new ArgumentOutOfRangeException(nameof(options), options.Scale, $"-Scale {options.Scale} is not possible with {modelName}: use 1 to {Field.Scale}.");
        if (options.TileSize is < 16 or > MaxTileSize)
            throw new ArgumentOutOfRangeException(nameof(options), options.TileSize, $"-TileSize {options.TileSize} is not possible: use 16 to {MaxTileSize} (256 is a good default).");

        // Reduce inside tiles when the final scale divides the model's; otherwise reduce the whole result at the end.
        int blockReduction = Field.Scale % options.Scale == 0 ? Field.Scale / options.Scale : 1;
        int tileScale = Field.Scale / blockReduction;
        // Both the tiles' result and the final image must fit before the first tile runs.
        string item = $"a {input.Width}x{input.Height} image";
        ImageCodec.CheckSize((long)input.Width * tileScale, (long)input.Height * tileScale, $"{item} upscaled x{tileScale}");
        ImageCodec.CheckSize((long)input.Width * options.Scale, (long)input.Height * options.Scale, $"{item} upscaled x{options.Scale}");
        int outWidth = input.Width * tileScale, outHeight = input.Height * tileScale;
        var output = new byte[outWidth * outHeight * RgbaImage.BytesPerPixel];

        int tilesX = (input.Width + options.TileSize - 1) / options.TileSize, tilesY = (input.Height + options.TileSize - 1) / options.TileSize;
        using var runOptions = new RunOptions();
        NanoBanana.Runtime.MemoryPolicy.ConfigureRun(runOptions);
        using var terminate = cancellation.Register(() => runOptions.Terminate = true);
        for (int ty = 0; ty < tilesY; ty++)
        {
            for (int tx = 0; tx < tilesX; tx++)
            {
                cancellation.ThrowIfCancellationRequested();
                var tile = new TileRegion(tx * options.TileSize, ty * options.TileSize, options.TileSize, input, Field.Radius);
                RunTile(input, tile, runOptions, output, outWidth, blockReduction);
                progress?.Report(new UpscaleProgress(ty * tilesX + tx + 1, tilesX * tilesY));
            }
        }

        var result = new RgbaImage(outWidth, outHeight, output, input.HasAlpha, input.Parameters.Clone());
        if (tileScale != options.Scale)
            result = ImageResampler.Resize(result, input.Width * options.Scale, input.Height * options.Scale);
        if (input.HasAlpha) result = result.WithAlpha(ImageResampler.ResizeAlpha(input, result.Width, result.Height));
        result.Parameters.SetExtra("Upscaler", modelName);
        result.Parameters.SetExtra("Upscale", options.Scale.ToString(CultureInfo.InvariantCulture));
        return result;
    }

    private void RunTile(RgbaImage input, TileRegion tile, RunOptions runOptions, byte[] output, int outWidth, int reduction)
    {
        var tensor = new DenseTensor<float>(new[] { 1, 3, tile.ContextHeight, tile.ContextWidth });
        var values = tensor.Buffer.Span;
        int plane = tile.ContextWidth * tile.ContextHeight;
        for (int y = 0; y < tile.ContextHeight; y++)
        {
            var row = input.Row(Reflect(tile.ContextY + y, input.Height));
            for (int x = 0; x < tile.ContextWidth; x++)
            {
                var pixel = row[Reflect(tile.ContextX + x, input.Width)];
                int target = y * tile.ContextWidth + x;
                values[target] = pixel.R / 255f;
                values[plane + target] = pixel.G / 255f;
                values[2 * plane + target] = pixel.B / 255f;
            }
        }

        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor(NcnnToOnnxConverter.InputName, tensor) }, session.OutputNames, runOptions);
        var upscaled = results[0].AsTensor<float>() as DenseTensor<float> ?? results[0].AsTensor<float>().ToDenseTensor();
        WriteTile(upscaled.Buffer.Span, tile, output, outWidth, reduction);
    }

    /// <summary>Reflect-101 (mirror without repeating the edge): -1 → 1, n → n − 2; 1-pixel lines repeat their pixel.</summary>
    private static int Reflect(int i, int n)
    {
        if (n == 1) return 0;
        i = Math.Abs(i);
        return (n - 1) - Math.Abs(i - (n - 1));
    }

    /// <summary>Crops the tile out of the model output, averages reduction×reduction blocks, clamps in float, rounds to 8 bits.</summary>
    private void WriteTile(ReadOnlySpan<float> upscaled, TileRegion tile, byte[] output, int outWidth, int reduction)
    {
        int s = Field.Scale, modelWidth = tile.ContextWidth * s, modelPlane = modelWidth * tile.ContextHeight * s;
        int offsetX = (tile.X - tile.ContextX) * s, offsetY = (tile.Y - tile.ContextY) * s;
        int tileScale = s / reduction;
        float blockArea = reduction * reduction;
        for (int y = 0; y < tile.Height * tileScale; y++)
        {
            int outRow = ((tile.Y * tileScale) + y) * outWidth;
            for (int x = 0; x < tile.Width * tileScale; x++)
            {
                int target = (outRow + tile.X * tileScale + x) * RgbaImage.BytesPerPixel;
                for (int c = 0; c < 3; c++)
                {
                    float sum = 0;
                    for (int by = 0; by < reduction; by++)
                    {
                        int modelRow = offsetY + y * reduction + by;
                        for (int bx = 0; bx < reduction; bx++)
                            sum += Math.Clamp(upscaled[c * modelPlane + modelRow * modelWidth + offsetX + x * reduction + bx], 0f, 1f);
                    }
                    output[target + c] = (byte)(sum / blockArea * 255f + 0.5f);
                }
                output[target + 3] = 255;
            }
        }
    }

    /// <summary>A tile of the input and the context around it, clipped to the image plus its mirrored edge.</summary>
    private readonly record struct TileRegion
    {
        public TileRegion(int x, int y, int size, RgbaImage image, int radius)
        {
            X = x;
            Y = y;
            Width = Math.Min(size, image.Width - x);
            Height = Math.Min(size, image.Height - y);
            int padX = Math.Min(EdgePadding, image.Width - 1), padY = Math.Min(EdgePadding, image.Height - 1);
            ContextX = Math.Max(-padX, x - radius);
            ContextY = Math.Max(-padY, y - radius);
            ContextWidth = Math.Min(image.Width + padX, x + Width + radius) - ContextX;
            ContextHeight = Math.Min(image.Height + padY, y + Height + radius) - ContextY;
        }

        public int X { get; }
        public int Y { get; }
        public int Width { get; }
        public int Height { get; }
        public int ContextX { get; }
        public int ContextY { get; }
        public int ContextWidth { get; }
        public int ContextHeight { get; }
    }
}
