using System.Diagnostics;
using NanoBanana.Catalogue;
using NanoBanana.Imaging;
using NanoBanana.Layout;
using NanoBanana.Models;
using NanoBanana.Pipeline;
using NanoBanana.Runtime;
using NanoBanana.Schedulers;
using NanoBanana.Synthetic;

/// <summary>
/// Rendering from the layout: what the VAE encoding costs against the render (the main job's settings: tiny SDXL at
/// 256², 8 steps, best of two; and a Small SDXL at 512², one round), and, on the tiny model, how the strength trades the
/// layout's survival against how much the model repaints — the figures behind -LayoutStrength's default.
/// </summary>
static class ImageToImage
{
    // The example catalogue's drone row (examples/products.csv).
    const string Parts = "<product name=\"quadcopter drone\"><part name=\"propeller\" count=\"4\" material=\"carbon fibre\"/><part name=\"folding arm\" count=\"4\" colour=\"graphite\"/><part name=\"flight battery\" colour=\"grey\"/><part name=\"gimbal camera\"/></product>";

    public static void Run(string root, int steps)
    {
        Console.WriteLine($"Drone row (10 boxes, Exploded), Euler, {steps} steps, CFG 7.5, regional prompts on, CPU ({Environment.ProcessorCount} cores)");
        Console.WriteLine("model  size      guide ms  encode ms  render ms (strength 0.75)  encode / render   text-to-image render ms");
        var sweeps = new List<(string Model, int Size, string Lines)>();
        foreach (var (modelSize, size) in new[] { (SyntheticModelSize.Tiny, 256), (SyntheticModelSize.Small, 512) })
        {
            string folder = SyntheticModelBuilder.Create(Path.Combine(root, modelSize.ToString()), new SyntheticModelOptions { Size = modelSize, Seed = 7 }).Folder;
            var sessions = new ModelSessions(DiffusionModel.Open(folder));
            using var pipeline = new TextToImagePipeline(sessions);
            var request = new RenderRow
            {
                Name = "AeroDrone X4", Prompt = "compact quadcopter drone with folding arms, matte graphite shell", Parts = Parts, Seed = "1001",
                Steps = $"{steps}", Width = $"{size}", Height = $"{size}", Scheduler = "Euler",
            }.ToRequest();
            var layout = request.Layout!;
            var encoder = new VaeEncoding(sessions);
            pipeline.Render(request with { Steps = 2 }); // warm-up: every session created

            double guideMs = double.MaxValue, encodeMs = double.MaxValue, renderMs = double.MaxValue, textMs = double.MaxValue;
            // Small at 512² takes minutes a render here: one round, and no sweep.
            int rounds = modelSize == SyntheticModelSize.Tiny ? 2 : 1;
            for (int round = 0; round < rounds; round++)
            {
                var clock = Stopwatch.StartNew();
                var guide = LayoutGuide.Draw(layout, request.Background);
                guideMs = Math.Min(guideMs, clock.Elapsed.TotalMilliseconds);
                clock.Restart();
                encoder.Encode(guide, new TorchRandom(1), CancellationToken.None);
                encodeMs = Math.Min(encodeMs, clock.Elapsed.TotalMilliseconds);
                clock.Restart();
                pipeline.Render(request);
                renderMs = Math.Min(renderMs, clock.Elapsed.TotalMilliseconds);
                clock.Restart();
                pipeline.Render(request with { Strength = 1 });
                textMs = Math.Min(textMs, clock.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine($"{modelSize,-6} {size,4}x{size,-4} {guideMs,8:F1} {encodeMs,10:F1} {renderMs,26:F0} {encodeMs / renderMs,15:P2} {textMs,25:F0}");

            if (modelSize != SyntheticModelSize.Tiny) continue;
            var lines = new System.Text.StringBuilder();
            // Against strength 0 (the guide through the VAE): a random-weight VAE does not reproduce the guide itself.
            var roundTrip = pipeline.Render(request with { Strength = 0 });
            foreach (double strength in new[] { 0.0, 0.3, 0.5, 0.6, 0.75, 0.9, 1.0 })
            {
                var image = pipeline.Render(request with { Strength = strength });
                var (kept, change) = Measure(image, roundTrip, layout);
                var metrics = ExplodedViewMeasure.Measure(image);
                lines.AppendLine($"{strength,8:F2} {kept,20:F3} {change,26:F1} {metrics.PartOverlap,12:F3} {metrics.BackgroundPurity,8:F4}");
            }
            sweeps.Add((modelSize.ToString(), size, lines.ToString()));
        }
        foreach (var (model, size, lines) in sweeps)
        {
            Console.WriteLine();
            Console.WriteLine($"{model} {size}x{size}: strength sweep (same seed)");
            Console.WriteLine("strength  correlation with s=0  mean change from s=0 (levels)  PartOverlap  Purity");
            Console.Write(lines);
        }
    }

    /// <summary>Inside the part boxes: the Pearson correlation of the render's luminance with the strength-0 render's (how much
    /// of the start image's structure survives) and their mean absolute difference (how much the model repainted).</summary>
    static (double Kept, double Change) Measure(RgbaImage image, RgbaImage start, PartLayout layout)
    {
        var a = new List<double>();
        var b = new List<double>();
        double change = 0;
        for (int y = 0; y < image.Height; y++)
        {
            var row = image.Row(y);
            var startRow = start.Row(y);
            for (int x = 0; x < image.Width; x++)
            {
                if (!layout.Parts.Any(part => part.Box.Contains(x + 0.5, y + 0.5))) continue;
                var (p, q) = (row[x], startRow[x]);
                a.Add(0.299 * p.R + 0.587 * p.G + 0.114 * p.B);
                b.Add(0.299 * q.R + 0.587 * q.G + 0.114 * q.B);
                change += (Math.Abs(p.R - q.R) + Math.Abs(p.G - q.G) + Math.Abs(p.B - q.B)) / 3.0;
            }
        }
        double ma = a.Average(), mb = b.Average();
        double cov = a.Zip(b, (u, v) => (u - ma) * (v - mb)).Sum();
        double va = a.Sum(u => (u - ma) * (u - ma)), vb = b.Sum(v => (v - mb) * (v - mb));
        return (cov / Math.Sqrt(va * vb), change / a.Count);
    }
}
