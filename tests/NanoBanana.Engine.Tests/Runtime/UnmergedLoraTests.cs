using Microsoft.ML.OnnxRuntime;
using NanoBanana.Engine.Tests.Synthetic;
using NanoBanana.Lora;
using NanoBanana.Models;
using NanoBanana.Onnx;
using NanoBanana.Runtime;
using NanoBanana.Unet;

namespace NanoBanana.Engine.Tests.Runtime;

/// <summary>LoRAs applied by the UNet runner (unmerged branches) against offline-merged references, on forge SDXL UNets.</summary>
public sealed class UnmergedLoraTests(SyntheticModels models) : IClassFixture<SyntheticModels>
{
    static UnetInputs Inputs(DiffusionModel model)
    {
        var unet = model[DiffusionModel.Unet];
        int context = unet.Input("encoder_hidden_states").Dimensions[2], pooled = unet.Input("text_embeds").Dimensions[1];
        var random = new Random(9);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        return new UnetInputs(Values(256), [1, 4, 8, 8], 400, Values(77 * context), [1, 77, context], Values(pooled), [1, pooled],
            [64f, 64, 0, 0, 64, 64], [1, 6]);
    }

    /// <summary>The merged reference UNet, run on the same inputs.</summary>
    static float[] RunMerged(DiffusionModel model, string mergedUnet)
    {
        using var session = new InferenceSession(mergedUnet);
        var feeds = UnetFeeds.Create(model[DiffusionModel.Unet], Inputs(model));
        try
        {
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, feeds.Keys.ToArray(), feeds.Values.ToArray(), ["out_sample"]);
            return OrtTensors.ReadFloats(results[0]);
        }
        finally { foreach (var value in feeds.Values) value.Dispose(); }
    }

    static void AssertClose(float[] expected, float[] actual, double tolerance, string what)
    {
        double max = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(max <= tolerance, $"{what}: max difference {max}");
    }

    [Theory]
    [InlineData(false, LoraKeyFormat.Kohya, 1)]
    [InlineData(true, LoraKeyFormat.Peft, 1)]
    [InlineData(false, LoraKeyFormat.Peft, 3)]
    [InlineData(true, LoraKeyFormat.Kohya, 4)]
    public void Unmerged_weights_match_the_merged_reference(bool torchExport, LoraKeyFormat format, int segmentsWanted)
    {
        string folder = torchExport ? models.XlTorch : models.Xl;
        var model = DiffusionModel.Open(folder);
        string work = Path.Combine(models.Root, $"lora-{torchExport}-{format}-{segmentsWanted}");
        Directory.CreateDirectory(work);
        string fileA = Path.Combine(work, "a.safetensors"), fileB = Path.Combine(work, "b.safetensors");
        SyntheticLora.Create(folder, fileA, rank: 4, format, seed: 1);
        SyntheticLora.Create(folder, fileB, rank: 2, format, seed: 2);
        var registry = new LoraRegistry();
        var a = registry.Set(fileA, "a", 0).Adapter;
        var b = registry.Set(fileB, "b", 0).Adapter;

        string unetPath = model[DiffusionModel.Unet].Path;
        long total = OnnxModel.Load(unetPath).Initializers.Sum(i => i.ByteLength);
        var segments = segmentsWanted == 1
            ? [UnetPartitioner.Whole(unetPath, "unet/model.onnx")]
            : UnetPartitioner.Partition(OnnxModel.Load(unetPath), total / segmentsWanted + 1);
        using var sessions = new ModelSessions(model);
        var runner = new SegmentedUnetRunner(sessions, segments);
        float[] Run(double wa, double wb) => runner.Run(Inputs(model), registry.Select(new Dictionary<string, double> { ["a"] = wa, ["b"] = wb }), CancellationToken.None);

        var baseline = SegmentedUnetRunner.Whole(new ModelSessions(model)).Run(Inputs(model), CancellationToken.None);
        AssertClose(baseline, Run(0, 0), 0, "weight 0 is the base model");
        foreach (float s in new[] { 0.4f, 0.8f, 1.2f })
        {
            string merged = LoraMerger.WriteMergedModel(folder, [a], [s], Path.Combine(work, $"merged-{s}"));
            AssertClose(RunMerged(model, merged), Run(s, 0), 1e-4, $"weight {s}");
        }
        string sum = LoraMerger.WriteMergedModel(folder, [a, b], [0.8f, 0.5f], Path.Combine(work, "merged-sum"));
        AssertClose(RunMerged(model, sum), Run(0.8f, 0.5f), 1e-4, "two LoRAs");

        // Switching weights reused the injected sessions: each segment was built once.
        Assert.All(segments, s => Assert.Equal(1, sessions.LoadCounts[s.Key]));
    }
}
