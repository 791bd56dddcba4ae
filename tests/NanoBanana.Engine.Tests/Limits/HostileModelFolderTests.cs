using System.Text;
using NanoBanana.Catalogue;
using NanoBanana.Models;
using NanoBanana.Pipeline;
using NanoBanana.Schedulers;
using NanoBanana.Unet;
using NanoBanana.Engine.Tests.Synthetic;
using NanoBanana.Runtime;
using NanoBanana.Limits;
using NanoBanana.Onnx;
using NanoBanana.Onnx.Proto;

namespace NanoBanana.Engine.Tests.Limits;

/// <summary>
/// Issue 16: hostile model folders. Test-NanoBananaModel (<see cref="ModelIntegrity"/>) never throws and reports each
/// problem as a Failed check naming the file; opening the folder for a render refuses the same folders with an
/// <see cref="IOException"/> (InvalidDataException or a limit), the kinds the cmdlets report per row.
/// </summary>
public sealed class HostileModelFolderTests(SyntheticModels models) : IClassFixture<SyntheticModels>
{
    string Copy(string name) => models.Copy(models.Xl, "hostile-" + name);

    static void EditUnet(string folder, Action<ModelProto> edit)
    {
        string path = Path.Combine(folder, "unet", "model.onnx");
        var model = OnnxModelFile.Load(path);
        edit(model);
        OnnxModelFile.Save(model, path);
    }

    /// <summary>The folder fails a check whose detail names <paramref name="named"/>; when <paramref name="opens"/> is
    /// false, opening it for a render refuses it as bad data too (tokenizers are read later, by the text encoder).</summary>
    static ModelCheck AssertRefused(string folder, string named, string? manifest = null, bool opens = false)
    {
        var checks = NanoBananaEngine.CheckModel(folder, manifest);
        var failure = checks.FirstOrDefault(c => c.Status == ModelCheckStatus.Failed && c.Detail.Contains(named, StringComparison.Ordinal));
        Assert.True(failure is not null, $"no failed check names '{named}': {string.Join(" | ", checks.Select(c => $"{c.Status} {c.Component} {c.Check}: {c.Detail}"))}");
        if (!opens) Assert.True(Assert.ThrowsAny<Exception>(() => DiffusionModel.Open(folder)) is InvalidDataException or IOException);
        return failure;
    }

    /// <summary>A UNet whose predictions are NaN from the second pass on, as a diverging model or LoRA gives.</summary>
    sealed class DivergingRunner(IUnetRunner inner) : IUnetRunner
    {
        public int RunCount => inner.RunCount;

        public float[][] Run(IReadOnlyList<UnetInputs> passes, NanoBanana.Lora.LoraSelection loras, CancellationToken cancellationToken)
        {
            var predictions = inner.Run(passes, loras, cancellationToken);
            if (inner.RunCount > passes.Count) foreach (var p in predictions) p[5] = float.NaN;
            return predictions;
        }
    }

    [Fact]
    public void Latents_that_become_nan_stop_the_render_at_that_step_instead_of_a_black_image()
    {
        var sessions = new ModelSessions(DiffusionModel.Open(models.Xl));
        using var pipeline = new TextToImagePipeline(sessions, new DivergingRunner(SegmentedUnetRunner.Whole(sessions)));
        var error = Assert.Throws<NonFiniteLatentsException>(() => pipeline.Render(new TextToImageRequest
        {
            Prompt = "a drone", Seed = 1, Steps = 3, CfgScale = 1, Width = 64, Height = 64,
        }));
        Assert.Equal(2, error.Step);
        Assert.Contains("step 2 of 3", error.Message);
    }

    [Fact]
    public void A_class_name_that_is_a_number_is_invalid_data_not_a_crash()
    {
        string folder = Copy("class-number");
        File.WriteAllText(Path.Combine(folder, "model_index.json"), """{"_class_name": 5}""");
        Assert.Contains("must be a string", AssertRefused(folder, "model_index.json").Detail);
    }

    [Fact]
    public void An_oversized_model_index_is_refused_before_it_is_read()
    {
        string folder = Copy("huge-index");
        File.WriteAllText(Path.Combine(folder, "model_index.json"), new string(' ', InputLimits.MaxConfigJsonBytes + 1) + "{}");
        Assert.IsType<InputTooLargeException>(Assert.ThrowsAny<IOException>(() => DiffusionModel.Open(folder)));
        AssertRefused(folder, "over the limit");
    }

    [Fact]
    public void A_vae_config_that_is_not_json_is_reported_and_refused()
    {
        string folder = Copy("vae-config");
        File.WriteAllText(Path.Combine(folder, "vae_decoder", "config.json"), "scaling_factor = 0.13");
        AssertRefused(folder, Path.Combine("vae_decoder", "config.json"));
    }

    [Theory]
    [InlineData("2147483647")]
    [InlineData("0")]
    [InlineData("-1000")]
    public void Num_train_timesteps_out_of_range_is_named(string value)
    {
        string folder = Copy("timesteps" + value);
        string path = Path.Combine(folder, "scheduler", "scheduler_config.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"num_train_timesteps\": 1000", $"\"num_train_timesteps\": {value}"));
        Assert.Contains(value, File.ReadAllText(path));
        Assert.Contains("num_train_timesteps", AssertRefused(folder, "scheduler_config.json").Detail);
    }

    [Theory]
    [InlineData("\"beta_start\": 0.00085", "\"beta_start\": -0.5", "beta_start")]
    [InlineData("\"steps_offset\": 1", "\"steps_offset\": 999999", "steps_offset")]
    public void Betas_and_offsets_out_of_range_are_named(string original, string hostile, string key)
    {
        string folder = Copy(key);
        string path = Path.Combine(folder, "scheduler", "scheduler_config.json");
        string text = File.ReadAllText(path);
        Assert.Contains(original, text);
        File.WriteAllText(path, text.Replace(original, hostile));
        Assert.Contains(key, AssertRefused(folder, "scheduler_config.json").Detail);
    }

    [Fact]
    public void A_steps_offset_that_pushes_timesteps_past_the_schedule_is_found_by_the_check()
    {
        string folder = Copy("offset-past-end");
        string path = Path.Combine(folder, "scheduler", "scheduler_config.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"steps_offset\": 1", "\"steps_offset\": 990"));
        var failure = NanoBananaEngine.CheckModel(folder).Single(c => c.Status == ModelCheckStatus.Failed);
        Assert.Equal(("scheduler", "Config"), (failure.Component, failure.Check));
        Assert.Contains("steps_offset 990", failure.Detail);
    }

    [Fact]
    public void An_external_data_offset_near_two_to_the_63_does_not_wrap_into_a_pass()
    {
        string folder = Copy("offset-overflow");
        EditUnet(folder, m => m.Graph.Initializer.First(t => t.ExternalData.Count > 0).ExternalData.Single(e => e.Key == "offset").Value = (long.MaxValue - 100).ToString());
        var failure = ModelIntegrity.Check(folder).Single(c => c.Status == ModelCheckStatus.Failed);
        Assert.Equal(("unet", "External data"), (failure.Component, failure.Check));
        Assert.Contains((long.MaxValue - 100).ToString(), failure.Detail);
    }

    [Fact]
    public void An_external_data_length_mismatch_is_a_failed_check()
    {
        string folder = Copy("length");
        EditUnet(folder, m => m.Graph.Initializer.First(t => t.ExternalData.Count > 0).ExternalData.Add(new StringStringEntryProto { Key = "length", Value = "3" }));
        AssertRefused(folder, "declares 3 bytes");
    }

    [Fact]
    public void Tensor_dims_whose_product_overflows_are_a_failed_check()
    {
        string folder = Copy("dims");
        EditUnet(folder, m =>
        {
            var tensor = m.Graph.Initializer[0];
            tensor.Dims.Clear();
            tensor.Dims.Add([1L << 40, 1L << 40]);
        });
        AssertRefused(folder, "overflows 64 bits");
    }

    [Fact]
    public void Data_type_zero_is_a_failed_check()
    {
        string folder = Copy("dtype");
        EditUnet(folder, m => m.Graph.Initializer[0].DataType = 0);
        AssertRefused(folder, "data_type 0");
    }

    [Fact]
    public void A_declared_dimension_beyond_int_is_refused_not_wrapped()
    {
        string folder = Copy("wrapped");
        EditUnet(folder, m => m.Graph.Input.Single(i => i.Name == "sample").Type.TensorType.Shape.Dim[1].DimValue = (1L << 32) + 4);
        AssertRefused(folder, "declares dimension 4294967300");
    }

    [Fact]
    public void A_graph_of_millions_of_empty_nodes_is_counted_and_refused_before_parsing()
    {
        string folder = Copy("nodes");
        string path = Path.Combine(folder, "vae_decoder", "model.onnx");
        // GraphProto with MaxOnnxNodes + 1 empty nodes (field 1, length 0), inside ModelProto field 7.
        var graph = new MemoryStream();
        for (int i = 0; i <= InputLimits.MaxOnnxNodes; i++) graph.Write([0x0A, 0x00]);
        using (var file = File.Create(path))
        {
            file.WriteByte(0x3A);
            ulong length = (ulong)graph.Length;
            while (length >= 0x80) { file.WriteByte((byte)(length | 0x80)); length >>= 7; }
            file.WriteByte((byte)length);
            graph.Position = 0;
            graph.CopyTo(file);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InputTooLargeException>(() => OnnxModelFile.Load(path));
        Assert.Contains("node count", error.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 32 << 20, "the census must not materialise the nodes");
        AssertRefused(folder, "node count");
    }

    [Fact]
    public void A_ten_million_entry_vocabulary_is_refused_by_count()
    {
        string folder = Copy("vocab-huge");
        var text = new StringBuilder("{");
        for (int i = 0; i <= InputLimits.MaxVocabularyEntries; i++) text.Append('"').Append(i).Append("\":").Append(i).Append(',');
        text.Append("\"end\":0}");
        File.WriteAllText(Path.Combine(folder, "tokenizer", "vocab.json"), text.ToString());
        Assert.Contains("number of tokens", AssertRefused(folder, "over the limit", opens: true).Detail);
        Assert.IsType<InputTooLargeException>(Assert.ThrowsAny<IOException>(() => NanoBanana.Text.ClipTokenizer.Load(Path.Combine(folder, "tokenizer"))));
    }

    [Fact]
    public void Merges_garbage_is_quoted_without_control_characters()
    {
        string folder = Copy("merges");
        File.WriteAllText(Path.Combine(folder, "tokenizer", "merges.txt"), "#version: 0.2\na b\n\u001b[2J\u001b]0;pwned\u0007 x y z\n");
        var failure = AssertRefused(folder, "merges.txt", opens: true);
        Assert.DoesNotContain(failure.Detail, char.IsControl);
        Assert.Contains("\\u001B", failure.Detail);
    }

    [Fact]
    public void Manifest_paths_are_confined_to_the_model_folder()
    {
        string folder = Copy("manifest-escape");
        string manifest = Path.Combine(models.Root, "escape.sha256");
        File.WriteAllText(manifest, new string('0', 64) + "  ../../../../../../../../dev/zero\n");
        var failure = AssertRefused(folder, "outside the model folder", manifest, opens: true);
        Assert.Equal(("manifest", "SHA-256"), (failure.Component, failure.Check));
    }
}
