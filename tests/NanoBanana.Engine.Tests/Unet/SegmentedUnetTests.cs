using Microsoft.ML.OnnxRuntime;
using NanoBanana.Engine.Tests.Synthetic;
using NanoBanana.Models;
using NanoBanana.Onnx;
using NanoBanana.Runtime;
using NanoBanana.Unet;

namespace NanoBanana.Engine.Tests.Unet;

public sealed class SegmentedUnetTests(SyntheticModels models) : IClassFixture<SyntheticModels>
{
    internal static UnetInputs Inputs(DiffusionModel model, int seed = 1)
    {
        var unet = model[DiffusionModel.Unet];
        int context = unet.Input("encoder_hidden_states").Dimensions[2];
        var random = new Random(seed);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        bool xl = unet.HasInput("text_embeds");
        int pooled = xl ? unet.Input("text_embeds").Dimensions[1] : 0;
        return new UnetInputs(Values(4 * 8 * 8), [1, 4, 8, 8], 700, Values(77 * context), [1, 77, context],
            xl ? Values(pooled) : null, xl ? [1, pooled] : null, xl ? [64f, 64, 0, 0, 64, 64] : null, xl ? [1, 6] : null);
    }

    /// <summary>The first output of a session fed <see cref="Inputs"/> (its inputs must be some of the UNet's).</summary>
    internal static float[] RunOnInputs(InferenceSession session, DiffusionModel model, IReadOnlyList<string> inputNames, string outputName)
    {
        var feeds = UnetFeeds.Create(model[DiffusionModel.Unet], Inputs(model));
        try
        {
            using var results = CancellableRun.Run(session, inputNames.ToArray(), inputNames.Select(n => feeds[n]).ToArray(), [outputName], CancellationToken.None);
            return OrtTensors.ReadFloats(results[0]);
        }
        finally
        {
            foreach (var value in feeds.Values) value.Dispose();
        }
    }

    static long TotalWeights(string folder) => OnnxModel.Load(Path.Combine(folder, "unet", "model.onnx")).Initializers.Sum(i => i.ByteLength);

    [Theory]
    [InlineData("xl", 2)]
    [InlineData("xl", 4)]
    [InlineData("xl-torch", 6)]
    [InlineData("sd15", 3)]
    [InlineData("fp16", 3)]
    public void Segmented_output_equals_the_whole_unet(string which, int parts)
    {
        string folder = which switch { "xl" => models.Xl, "xl-torch" => models.XlTorch, "sd15" => models.Sd15, _ => models.XlHalfLegacy };
        var model = DiffusionModel.Open(folder);
        long budget = TotalWeights(folder) / parts + 1;
        var segments = UnetPartitioner.Partition(OnnxModel.Load(model[DiffusionModel.Unet].Path), budget);
        Assert.InRange(segments.Count, 2, 8);
        // Every segment fits the budget unless it is one indivisible module.
        Assert.All(segments, s => Assert.True(s.WeightBytes <= budget || s.FirstModule == s.LastModule, s.ToString()));
        // A skip connection crosses a boundary: some segment reads a value produced two or more segments earlier.
        var producedBy = segments.SelectMany(s => s.Outputs.Select(o => (o, s.Index))).GroupBy(p => p.o).ToDictionary(g => g.Key, g => g.First().Index);
        Assert.Contains(segments, s => s.Inputs.Any(i => producedBy.TryGetValue(i, out int from) && s.Index - from >= 2));

        var inputs = Inputs(model);
        using var wholeSessions = new ModelSessions(model);
        var expected = SegmentedUnetRunner.Whole(wholeSessions).Run(inputs, CancellationToken.None);
        foreach (long arenaLimit in new[] { 0, long.MaxValue }) // the CPU arena shrunk after every run, and kept from run to run
        {
            using var sessions = new ModelSessions(model);
            var actual = new SegmentedUnetRunner(sessions, segments, arenaLimitBytes: arenaLimit).Run(inputs, CancellationToken.None);
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5, $"element {i}: {expected[i]} vs {actual[i]}");
        }
    }

    [Fact]
    public void Balanced_keeps_segments_that_fit_and_low_reloads_them()
    {
        var model = DiffusionModel.Open(models.Xl);
        var segments = UnetPartitioner.Partition(OnnxModel.Load(model[DiffusionModel.Unet].Path), TotalWeights(models.Xl) / 4 + 1);
        var inputs = Inputs(model);

        using var balanced = new ModelSessions(model, budgetBytes: segments.Sum(s => s.WeightBytes));
        var runner = new SegmentedUnetRunner(balanced, segments);
        for (int run = 0; run < 3; run++) runner.Run(inputs, CancellationToken.None);
        Assert.All(segments, s => Assert.Equal(1, balanced.LoadCounts[s.Key]));
        Assert.Equal(segments.Sum(s => s.WeightBytes), balanced.ResidentBytes);

        // Half the UNet plus room to stream: the segments kept load once, only the others move at every run.
        long half = segments.Sum(s => s.WeightBytes) / 2 + 2 * segments.Max(s => s.WeightBytes);
        using var partial = new ModelSessions(model, budgetBytes: half);
        var keeping = new SegmentedUnetRunner(partial, segments);
        Assert.InRange(keeping.KeptSegments.Count, 1, segments.Count - 1);
        for (int run = 0; run < 3; run++) keeping.Run(inputs, CancellationToken.None);
        for (int i = 0; i < segments.Count; i++)
            Assert.Equal(keeping.KeptSegments.Contains(i) ? 1 : 3, partial.LoadCounts[segments[i].Key]);
        Assert.True(partial.PeakResidentBytes <= half, $"peak resident {partial.PeakResidentBytes} > budget {half}");

        // A budget for two segments: nothing stays, each segment is released after use, never more than two resident.
        long two = segments.OrderByDescending(s => s.WeightBytes).Take(2).Sum(s => s.WeightBytes);
        using var tight = new ModelSessions(model, budgetBytes: two);
        var streaming = new SegmentedUnetRunner(tight, segments);
        for (int run = 0; run < 2; run++) streaming.Run(inputs, CancellationToken.None);
        Assert.True(tight.PeakResidentBytes <= two, $"peak resident {tight.PeakResidentBytes} > budget {two}");
        Assert.Contains(segments, s => tight.LoadCounts[s.Key] >= 2);

        using var low = new ModelSessions(model, budgetBytes: two);
        var lowRunner = new SegmentedUnetRunner(low, segments, releaseAfterUse: true);
        for (int run = 0; run < 2; run++) lowRunner.Run(inputs, CancellationToken.None);
        Assert.All(segments, s => Assert.True(low.LoadCounts[s.Key] >= 2, $"{s.Key} loaded {low.LoadCounts[s.Key]} times"));
        Assert.True(low.ResidentBytes <= segments.Max(s => s.WeightBytes), "Low keeps at most the prefetched segment between runs");

        low.ReleaseAll();
        balanced.ReleaseAll();
        Assert.Equal(0, low.ResidentBytes);
        Assert.Equal(0, balanced.ResidentBytes);
    }

    [Fact]
    public void On_the_cpu_streamed_segments_keep_their_sessions_with_their_weights_paged_out()
    {
        var model = DiffusionModel.Open(models.Xl);
        var segments = UnetPartitioner.Partition(OnnxModel.Load(model[DiffusionModel.Unet].Path), TotalWeights(models.Xl) / 4 + 1);
        var inputs = Inputs(model);
        using var wholeSessions = new ModelSessions(model);
        var expected = SegmentedUnetRunner.Whole(wholeSessions).Run(inputs, CancellationToken.None);

        long half = segments.Sum(s => s.WeightBytes) / 2 + 2 * segments.Max(s => s.WeightBytes);
        using var paging = new ModelSessions(model, budgetBytes: half, pagesStreamedWeights: true);
        var runner = new SegmentedUnetRunner(paging, segments);
        Assert.InRange(runner.KeptSegments.Count, 1, segments.Count - 1);
        var first = runner.Run(inputs, CancellationToken.None);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - first[i]) <= 1e-5, $"element {i}: {expected[i]} vs {first[i]}");
        // Weights paged back in compute the same output.
        for (int run = 1; run < 3; run++) Assert.Equal(first, runner.Run(inputs, CancellationToken.None));

        // Where weights can be paged out (Linux), a streamed segment is loaded once and paged in at every later run;
        // elsewhere it is loaded at every run.
        for (int i = 0; i < segments.Count; i++)
        {
            bool kept = runner.KeptSegments.Contains(i), paged = !kept && MappedWeights.IsSupported;
            Assert.Equal(kept || paged ? 1 : 3, paging.LoadCounts[segments[i].Key]);
            Assert.Equal(paged ? 2 : 0, paging.PageInCounts.GetValueOrDefault(segments[i].Key));
        }
        Assert.True(paging.PeakResidentBytes <= half, $"peak resident {paging.PeakResidentBytes} > budget {half}");
        // Between runs only the kept segments count: a paged-out session holds none of its weights.
        Assert.Equal(runner.KeptSegments.Sum(i => segments[i].WeightBytes), paging.ResidentBytes);
    }

    [Fact]
    public void The_passes_of_a_guided_step_share_one_load_of_each_segment()
    {
        var model = DiffusionModel.Open(models.Xl);
        var segments = UnetPartitioner.Partition(OnnxModel.Load(model[DiffusionModel.Unet].Path), TotalWeights(models.Xl) / 4 + 1);
        var cond = Inputs(model, seed: 1);
        var uncond = cond with { EncoderHiddenStates = Inputs(model, seed: 2).EncoderHiddenStates };
        using var wholeSessions = new ModelSessions(model);
        var whole = SegmentedUnetRunner.Whole(wholeSessions);
        float[][] expected = [whole.Run(cond, CancellationToken.None), whole.Run(uncond, CancellationToken.None)];

        // Low: every segment is released after use, so each load is visible in the counts.
        using var low = new ModelSessions(model, budgetBytes: segments.Max(s => s.WeightBytes) * 2);
        var runner = new SegmentedUnetRunner(low, segments, releaseAfterUse: true);
        var actual = runner.Run([cond, uncond], CancellationToken.None);

        Assert.Equal(2, runner.RunCount);
        // Separate passes would load every segment twice (a load counts when the runner takes the session).
        Assert.All(segments, s => Assert.Equal(1, low.LoadCounts[s.Key]));
        Assert.NotEqual(actual[0], actual[1]);
        for (int pass = 0; pass < 2; pass++)
            for (int i = 0; i < expected[pass].Length; i++)
                Assert.True(Math.Abs(expected[pass][i] - actual[pass][i]) <= 1e-5, $"pass {pass} element {i}: {expected[pass][i]} vs {actual[pass][i]}");
    }

    [Fact]
    public void Segment_files_are_cached_per_model_and_regenerated_when_it_changes()
    {
        string copy = Path.Combine(models.Root, "cache-model");
        SyntheticCopy(models.Xl, copy);
        string cache = Path.Combine(models.Root, "cache");
        string unet = Path.Combine(copy, "unet", "model.onnx");
        var first = UnetSegmentCache.Load(unet, TotalWeights(copy) / 3 + 1, cache);
        Assert.True(first.Count >= 2);
        var folders = Directory.GetDirectories(Path.Combine(cache, "segments"));
        Assert.Single(folders);
        // Segment files hold graphs only: the weights stay in the original model.onnx_data.
        Assert.All(Directory.GetFiles(folders[0], "*.onnx"), f => Assert.True(new FileInfo(f).Length < new FileInfo(Path.Combine(copy, "unet", "model.onnx_data")).Length / 4));
        Assert.Equal(first.Count, UnetSegmentCache.Load(unet, TotalWeights(copy) / 3 + 1, cache).Count);
        Assert.Single(Directory.GetDirectories(Path.Combine(cache, "segments")));

        File.SetLastWriteTimeUtc(Path.Combine(copy, "unet", "model.onnx_data"), DateTime.UtcNow.AddMinutes(5));
        UnetSegmentCache.Load(unet, TotalWeights(copy) / 3 + 1, cache);
        Assert.Equal(2, Directory.GetDirectories(Path.Combine(cache, "segments")).Length);
    }

    static void SyntheticCopy(string from, string to)
    {
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}
