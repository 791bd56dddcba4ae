using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NanoBanana.Imaging;
using NanoBanana.Models;
using NanoBanana.Onnx;
using NanoBanana.Pipeline;
using NanoBanana.Runtime;
using NanoBanana.Synthetic;
using NanoBanana.Text;
using NanoBanana.Unet;

namespace NanoBanana.Engine.Tests.Synthetic;

public sealed class SyntheticModelBuilderTests(SyntheticModels models) : IClassFixture<SyntheticModels>
{
    static readonly string[] SdxlLayout =
    [
        "model_index.json", "scheduler/scheduler_config.json",
        "tokenizer/vocab.json", "tokenizer/merges.txt", "tokenizer/special_tokens_map.json", "tokenizer/tokenizer_config.json",
        "tokenizer_2/vocab.json", "tokenizer_2/merges.txt", "tokenizer_2/special_tokens_map.json", "tokenizer_2/tokenizer_config.json",
        "text_encoder/model.onnx", "text_encoder_2/model.onnx", "unet/model.onnx", "unet/model.onnx_data",
        "vae_decoder/model.onnx", "vae_encoder/model.onnx",
    ];

    [Fact]
    public void Tiny_sdxl_has_the_diffusers_layout_and_opens_as_an_sdxl_export()
    {
        foreach (string file in SdxlLayout) Assert.True(File.Exists(Path.Combine(models.Xl, file)), file);
        var model = DiffusionModel.Open(models.Xl);
        Assert.Equal(DiffusionArchitecture.StableDiffusionXL, model.Architecture);
        Assert.Equal(0.13025f, model.VaeScalingFactor);
        var unet = model[DiffusionModel.Unet];
        Assert.Equal(["sample", "timestep", "encoder_hidden_states", "text_embeds", "time_ids"], unet.Inputs.Select(i => i.Name));
        Assert.Equal(0, unet.Input("timestep").Rank);
        Assert.Equal(TensorElementType.Float, unet.Input("sample").ElementType);
        Assert.Equal("out_sample", Assert.Single(unet.Outputs).Name);
        Assert.Equal(TensorElementType.Int64, model[DiffusionModel.TextEncoder].Input("input_ids").ElementType);
        Assert.True(model[DiffusionModel.TextEncoder2].HasOutput("text_embeds"));
        // The second tokenizer pads with "!", id 0, as SDXL's does.
        Assert.Equal(0, ClipTokenizer.Load(Path.Combine(models.Xl, "tokenizer_2")).PadId);
    }

    [Fact]
    public void Tiny_sd15_has_one_encoder_and_no_added_conditioning()
    {
        var model = DiffusionModel.Open(models.Sd15);
        Assert.Equal(DiffusionArchitecture.StableDiffusion15, model.Architecture);
        Assert.False(Directory.Exists(Path.Combine(models.Sd15, "text_encoder_2")));
        Assert.Equal(["sample", "timestep", "encoder_hidden_states"], model[DiffusionModel.Unet].Inputs.Select(i => i.Name));
        Assert.True(model[DiffusionModel.TextEncoder].HasOutput("pooler_output"));
    }

    [Fact]
    public void The_tokenizer_is_a_working_clip_bpe_with_whole_catalogue_words()
    {
        var tokenizer = ClipTokenizer.Load(Path.Combine(models.Xl, "tokenizer"));
        Assert.Single(tokenizer.Encode("knolling"));
        Assert.Equal(3, tokenizer.Encode("exploded view, ").Length);
        // Words outside the corpus fall back to smaller pieces, never to the unknown token.
        Assert.DoesNotContain(tokenizer.UnknownId, tokenizer.Encode("zyxwv qj"));
        Assert.Equal(tokenizer.EosId, tokenizer.BosId + 1);
    }

    [Fact]
    public void The_same_options_give_byte_identical_files()
    {
        string again = SyntheticModelBuilder.Create(Path.Combine(models.Root, "again"), new SyntheticModelOptions { Seed = 7 }).Folder;
        foreach (string file in SdxlLayout.Append("unet/config.json"))
            Assert.True(Hash(Path.Combine(models.Xl, file)).SequenceEqual(Hash(Path.Combine(again, file))), file);
        string other = SyntheticModelBuilder.Create(Path.Combine(models.Root, "other-seed"), new SyntheticModelOptions { Seed = 8, UnetOnly = true }).Folder;
        Assert.False(Hash(Path.Combine(models.Xl, "unet/model.onnx_data")).SequenceEqual(Hash(Path.Combine(other, "unet/model.onnx_data"))));
    }

    static byte[] Hash(string path) => SHA256.HashData(File.ReadAllBytes(path));

    [Fact]
    public void An_existing_folder_is_not_overwritten_and_nothing_half_written_is_left()
    {
        string target = Directory.CreateDirectory(Path.Combine(models.Root, "occupied")).FullName;
        File.WriteAllText(Path.Combine(target, "keep.txt"), "mine");
        var error = Assert.Throws<IOException>(() => SyntheticModelBuilder.Create(target, new SyntheticModelOptions()));
        Assert.Contains("-Force", error.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(target, "keep.txt")));

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        string never = Path.Combine(models.Root, "cancelled");
        Assert.ThrowsAny<OperationCanceledException>(() => SyntheticModelBuilder.Create(never, new SyntheticModelOptions(), cancellationToken: cancelled.Token));
        Assert.False(Directory.Exists(never));
        Assert.Empty(Directory.GetDirectories(models.Root, ".cancelled.partial-*"));
    }

    static float[] RunUnet(string folder, float[] sample, float timestep, float[] context, float[]? textEmbeds, float[]? timeIds)
    {
        var model = DiffusionModel.Open(folder);
        using var sessions = new ModelSessions(model);
        var unet = model[DiffusionModel.Unet];
        int contextDim = unet.Input("encoder_hidden_states").Dimensions[2];
        var inputs = new UnetInputs(sample, [1, 4, 8, 8], timestep, context, [1, 77, contextDim],
            textEmbeds, textEmbeds is null ? null : [1, textEmbeds.Length], timeIds, timeIds is null ? null : [1, 6]);
        return SegmentedUnetRunner.Whole(sessions).Run(inputs, CancellationToken.None);
    }

    static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    [Fact]
    public void The_tiny_unet_uses_its_conditioning()
    {
        int contextDim = DiffusionModel.Open(models.Xl)[DiffusionModel.Unet].Input("encoder_hidden_states").Dimensions[2];
        int pooledDim = DiffusionModel.Open(models.Xl)[DiffusionModel.Unet].Input("text_embeds").Dimensions[1];
        float[] sample = Values(256, 1), context = Values(77 * contextDim, 2), pooled = Values(pooledDim, 3);
        float[] timeIds = [1024, 1024, 0, 0, 1024, 1024];
        var baseline = RunUnet(models.Xl, sample, 500, context, pooled, timeIds);
        Assert.All(baseline, v => Assert.True(float.IsFinite(v)));
        Assert.True(baseline.Select(MathF.Abs).Average() > 0.01, "out_sample is not degenerate");

        static double Change(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(Change(baseline, RunUnet(models.Xl, sample, 501, context, pooled, timeIds)) > 1e-4, "timestep");
        Assert.True(Change(baseline, RunUnet(models.Xl, sample, 500, Values(77 * contextDim, 9), pooled, timeIds)) > 1e-4, "encoder_hidden_states");
        Assert.True(Change(baseline, RunUnet(models.Xl, sample, 500, context, Values(pooledDim, 9), timeIds)) > 1e-4, "text_embeds");
        Assert.True(Change(baseline, RunUnet(models.Xl, sample, 500, context, pooled, [512, 512, 0, 0, 1024, 1024])) > 1e-4, "time_ids");
        Assert.True(Change(baseline, RunUnet(models.Xl, Values(256, 9), 500, context, pooled, timeIds)) > 1e-4, "sample");
    }

    [Fact]
    public void Named_and_torch_export_linears_compute_the_same_function()
    {
        var named = OnnxModelFile.Load(Path.Combine(models.Xl, "unet", "model.onnx")).Graph;
        var torch = OnnxModelFile.Load(Path.Combine(models.XlTorch, "unet", "model.onnx")).Graph;
        const string query = "down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q.weight";
        Assert.Contains(named.Initializer, t => t.Name == query);
        Assert.DoesNotContain(torch.Initializer, t => t.Name == query);
        Assert.Contains(torch.Node, n => n.Name == "/down_blocks.1/attentions.0/transformer_blocks.0/attn1/to_q/MatMul"
                                         && n.Input[1].StartsWith("onnx::MatMul_", StringComparison.Ordinal));

        int contextDim = DiffusionModel.Open(models.Xl)[DiffusionModel.Unet].Input("encoder_hidden_states").Dimensions[2];
        float[] sample = Values(256, 4), context = Values(77 * contextDim, 5), pooled = Values(64, 6), ids = [64, 64, 0, 0, 64, 64];
        var a = RunUnet(models.Xl, sample, 321, context, pooled, ids);
        var b = RunUnet(models.XlTorch, sample, 321, context, pooled, ids);
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - b[i]) < 1e-4, $"element {i}: {a[i]} vs {b[i]}");
    }

    [Fact]
    public void Every_onnx_file_runs_with_the_documented_inputs()
    {
        foreach (string folder in new[] { models.Xl, models.Sd15, models.XlHalfLegacy })
        {
            var model = DiffusionModel.Open(folder);
            foreach (string part in new[] { "text_encoder", "text_encoder_2", "vae_decoder", "vae_encoder" })
            {
                string path = Path.Combine(folder, part, "model.onnx");
                if (!File.Exists(path)) continue;
                using var session = new InferenceSession(path);
                var inputs = session.InputMetadata.Select(kv =>
                {
                    long[] shape = kv.Key == "input_ids" ? [1, 77] : kv.Key == "latent_sample" ? [1, 4, 8, 8] : [1, 3, 64, 64];
                    var data = kv.Key == "input_ids" ? Enumerable.Range(0, 77).Select(i => (float)(i % 50)).ToArray() : Values((int)shape.Aggregate(1L, (x, y) => x * y), 3);
                    return (kv.Key, Value: OrtTensors.Floats(data, shape, kv.Value.ElementDataType));
                }).ToList();
                using var runOptions = new RunOptions();
                using var results = session.Run(runOptions, inputs.Select(i => i.Key).ToArray(), inputs.Select(i => i.Value).ToArray(), session.OutputNames.ToArray());
                foreach (var result in results) Assert.All(OrtTensors.ReadFloats(result), v => Assert.True(float.IsFinite(v), $"{path}: non-finite output"));
                var outputs = session.OutputNames.Zip(results, (name, value) => (name, Shape: OrtTensors.Shape(value))).ToDictionary(o => o.name, o => o.Shape);
                if (part == "vae_decoder") Assert.Equal([1, 3, 64, 64], outputs["sample"]);
                else if (part == "vae_encoder") Assert.Equal([1, 8, 8, 8], outputs["latent_parameters"]);
                else Assert.Equal([1, 77, model[part].Output("last_hidden_state").Dimensions[2]], outputs["last_hidden_state"]);
                inputs.ForEach(i => i.Value.Dispose());
            }
        }
    }

    [Fact]
    public void Fp16_legacy_export_declares_fp16_tensors_int32_ids_and_int64_timesteps()
    {
        var model = DiffusionModel.Open(models.XlHalfLegacy);
        var unet = model[DiffusionModel.Unet];
        Assert.Equal(TensorElementType.Float16, unet.Input("sample").ElementType);
        Assert.Equal(TensorElementType.Int64, unet.Input("timestep").ElementType);
        Assert.Equal(1, unet.Input("timestep").Rank);
        Assert.Equal(TensorElementType.Float16, unet.Output("out_sample").ElementType);
        Assert.Equal(TensorElementType.Int32, model[DiffusionModel.TextEncoder].Input("input_ids").ElementType);
        var weights = OnnxModel.Load(Path.Combine(models.XlHalfLegacy, "unet", "model.onnx"));
        Assert.Contains(weights.Initializers, i => i.Name.EndsWith(".weight", StringComparison.Ordinal) && i.DataType == OnnxDataType.Float16);
    }

    [Theory]
    [InlineData("xl")]
    [InlineData("sd15")]
    [InlineData("fp16")]
    public void The_pipeline_renders_a_tiny_forge_model(string which)
    {
        string folder = which switch { "xl" => models.Xl, "sd15" => models.Sd15, _ => models.XlHalfLegacy };
        using var pipeline = new TextToImagePipeline(new ModelSessions(DiffusionModel.Open(folder)));
        var request = new TextToImageRequest { Prompt = "knolling of a coffee grinder", Seed = 42, Steps = 4, CfgScale = 7.5, Width = 64, Height = 64 };
        var image = pipeline.Render(request);
        var again = pipeline.Render(request);
        var other = pipeline.Render(request with { Seed = 43 });
        Assert.Equal(image.Pixels, again.Pixels);
        // The PNG, parameters chunk included, is byte-identical too.
        Assert.Equal(NanoBanana.Imaging.ImageCodec.EncodePng(image), NanoBanana.Imaging.ImageCodec.EncodePng(again));
        Assert.NotEqual(image.Pixels, other.Pixels);
        // Not a flat image: the random weights still give structure.
        Assert.True(image.Pixels.Where((_, i) => i % 4 == 0).Distinct().Count() > 8);
    }
}
