using SkiaSharp;
using NanoBanana.Imaging;
using NanoBanana.Imaging.Upscaling;
using NanoBanana.Runtime;

namespace NanoBanana.Engine.Tests.Upscaling;

public sealed class TiledUpscalerTests : IDisposable
{
    private const string Model = "realesrgan-x4fast";
    private readonly string _store = Directory.CreateTempSubdirectory("nb-upscale-").FullName;
    private readonly Lazy<UpscaleModelStore> _models;

    public TiledUpscalerTests() => _models = new(() =>
    {
        var store = new UpscaleModelStore(Array.Empty<string>(), _store);
        store.Import(Path.Combine(UpscaleModelFiles.NcnnDirectory, Model + ".param"), Path.Combine(UpscaleModelFiles.NcnnDirectory, Model + ".bin"), Model, overwrite: false);
        return store;
    });

    public void Dispose()
    {
        if (_models.IsValueCreated) _models.Value.Dispose();
        Directory.Delete(_store, recursive: true);
    }

    [RequiresUpscaleModelsFact(Model)]
    public void ReceptiveFieldOfX4FastComesFromItsGraph()
    {
        var field = _models.Value.Get(Model, ExecutionDevice.Cpu).Field;
        // 34 chained 3x3 convolutions at input resolution: 34 pixels each side (a 69x69 field).
        Assert.Equal(new ReceptiveField(34, 4), field);
    }

    [RequiresUpscaleModelsFact(Model)]
    public void TiledOutputEqualsUntiledOutput()
    {
        var image = TestScene(53, 41);
        var upscaler = _models.Value.Get(Model, ExecutionDevice.Cpu);

        var whole = upscaler.Upscale(image, new UpscaleOptions { Scale = 4, TileSize = 64 });
        var tiled = upscaler.Upscale(image, new UpscaleOptions { Scale = 4, TileSize = 16 });

        Assert.Equal((212, 164), (whole.Width, whole.Height));
        int differing = whole.Pixels.Zip(tiled.Pixels).Count(p => p.First != p.Second);
        int maxDifference = whole.Pixels.Zip(tiled.Pixels).Max(p => Math.Abs(p.First - p.Second));
        // Float sums in a different order can move a value across a rounding boundary: at most 1 level, rarely.
        Assert.True(maxDifference <= 1, $"max difference {maxDifference}");
        Assert.True(differing <= whole.Pixels.Length / 10_000, $"{differing} of {whole.Pixels.Length} bytes differ");
    }

    [RequiresUpscaleModelsFact(Model)]
    public void UpscalingBeatsBicubicOnADownscaledScene()
    {
        var original = TestScene(128, 96);
        var small = ImageResampler.Resize(original, 32, 24);
        var upscaler = _models.Value.Get(Model, ExecutionDevice.Cpu);

        var esrgan = upscaler.Upscale(small, new UpscaleOptions { Scale = 4, TileSize = 32 });
        var bicubic = ImageResampler.Resize(small, 128, 96);

        double esrganSsim = ImageComparison.Compare(original, esrgan).Ssim, bicubicSsim = ImageComparison.Compare(original, bicubic).Ssim;
        Assert.True(esrganSsim > bicubicSsim, $"Real-ESRGAN SSIM {esrganSsim:F4} should beat bicubic {bicubicSsim:F4}");
    }

    [RequiresUpscaleModelsFact(Model)]
    public void ScalesAlphaAndMetadataAreHandled()
    {
        var image = TestScene(20, 12);
        var withAlpha = new RgbaImage(20, 12, (byte[])image.Pixels.Clone(), hasAlpha: true, new GenerationParameters { Seed = 5 });
        for (int i = 3; i < withAlpha.Pixels.Length; i += 4) withAlpha.Pixels[i] = (byte)(i % 256);
        var upscaler = _models.Value.Get(Model, ExecutionDevice.Cpu);

        var two = upscaler.Upscale(withAlpha, new UpscaleOptions { Scale = 2, TileSize = 16 });
        var three = upscaler.Upscale(image, new UpscaleOptions { Scale = 3, TileSize = 16 });

        Assert.Equal((40, 24, true), (two.Width, two.Height, two.HasAlpha));
        Assert.Equal((60, 36, false), (three.Width, three.Height, three.HasAlpha));
        Assert.Equal(5, two.Parameters.Seed);
        Assert.Contains(new KeyValuePair<string, string>("Upscaler", Model), two.Parameters.Extra);
        Assert.Contains(new KeyValuePair<string, string>("Upscale", "2"), two.Parameters.Extra);
        Assert.Contains(two.Pixels.Where((_, i) => i % 4 == 3), a => a != 255);
        Assert.Throws<ArgumentOutOfRangeException>(() => upscaler.Upscale(image, new UpscaleOptions { Scale = 5 }));
    }

    [RequiresUpscaleModelsFact(Model)]
    public void CancellationStopsBetweenTiles()
    {
        using var cancel = new CancellationTokenSource();
        var upscaler = _models.Value.Get(Model, ExecutionDevice.Cpu);
        var progress = new List<UpscaleProgress>();
        Assert.ThrowsAny<OperationCanceledException>(() => upscaler.Upscale(TestScene(64, 64), new UpscaleOptions { Scale = 4, TileSize = 16 },
            new InlineProgress<UpscaleProgress>(p => { progress.Add(p); if (p.TilesDone == 2) cancel.Cancel(); }), cancel.Token));
        Assert.Equal(2, progress.Count);
        Assert.Equal(16, progress[0].TileCount);
    }

    /// <summary>Shapes, edges and thin lines: what upscalers are judged on.</summary>
    internal static RgbaImage TestScene(int width, int height)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var surface = SKSurface.Create(info);
        var canvas = surface.Canvas;
        canvas.Clear(new SKColor(236, 232, 224));
        using var paint = new SKPaint { IsAntialias = true };
        paint.Color = new SKColor(40, 90, 160);
        canvas.DrawCircle(width * 0.3f, height * 0.45f, Math.Min(width, height) * 0.25f, paint);
        paint.Color = new SKColor(200, 60, 40);
        canvas.DrawRect(width * 0.55f, height * 0.2f, width * 0.3f, height * 0.5f, paint);
        paint.Color = SKColors.Black;
        paint.StrokeWidth = 1;
        for (int i = 0; i < 6; i++) canvas.DrawLine(width * 0.05f, height * (0.75f + i * 0.04f), width * 0.95f, height * (0.7f + i * 0.05f), paint);
        var pixels = new byte[info.BytesSize];
        unsafe
        {
            fixed (byte* p = pixels) surface.ReadPixels(info, (IntPtr)p, info.RowBytes, 0, 0);
        }
        return new RgbaImage(width, height, pixels, hasAlpha: false);
    }
}

internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
