using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;
using NanoBanana.Pipeline;
using NanoBanana.Synthetic;
using NanoBanana.Models;
using NanoBanana.Onnx;
using NanoBanana.Runtime;
using NanoBanana.Unet;

namespace NanoBanana.Engine.Tests.Models;

/// <summary>The variants of issue 15, each rendering or refused with its named error (synthetic exports in the
/// variants' shapes; the Optimum exports themselves are in Parity/).</summary>
public sealed class ModelVariantTests(VariantModels models) : IClassFixture<VariantModels>
{
    static TextToImageRequest Request(int steps = 3, double cfg = 7.5, string? scheduler = null) => new()
    {
        Prompt = "exploded view of a drone", Seed = 42, Steps = steps, CfgScale = cfg, Width = 64, Height = 64, Scheduler = scheduler,
    };

    static TextToImagePipeline Open(string folder) => new(new ModelSessions(DiffusionModel.Open(folder)));

    static void AssertChecksPass(string folder) =>
        Assert.DoesNotContain(ModelIntegrity.Check(folder), c => c.Status == ModelCheckStatus.Failed);

    static void EditJson(string path, Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    [Fact]
    public void Sd2_predicts_v_and_renders_differently_from_the_same_weights_read_as_epsilon()
    {
        AssertChecksPass(models.Sd2);
        var model = DiffusionModel.Open(models.Sd2);
        Assert.Equal("v_prediction", model.SchedulerConfig.PredictionType);
        Assert.Equal(DiffusionArchitecture.StableDiffusion15, model.Architecture);
        string epsilon = models.Copy(models.Sd2, "sd2-epsilon");
        EditJson(Path.Combine(epsilon, "scheduler", "scheduler_config.json"), j => j["prediction_type"] = "epsilon");
        using var v = Open(models.Sd2);
        using var e = Open(epsilon);
        var a = v.Render(Request());
        Assert.True(a.Pixels.Distinct().Count() > 10, "the image should not be flat");
        Assert.NotEqual(a.Pixels, e.Render(Request()).Pixels);
    }

    [Fact]
    public void Turbo_spaces_timesteps_trailing_and_renders_one_step_without_guidance()
    {
        AssertChecksPass(models.Turbo);
        var model = DiffusionModel.Open(models.Turbo);
        Assert.Equal("trailing", model.SchedulerConfig.TimestepSpacing);
        Assert.Equal(999f, TextToImagePipeline.CreateScheduler(model.SchedulerConfig, "EulerAncestral", 1).Timesteps[0]);
        using var pipeline = Open(models.Turbo);
        var image = pipeline.Render(Request(steps: 1, cfg: 0, scheduler: "EulerAncestral"));
        Assert.Equal(1, pipeline.Unet.RunCount); // no unconditional pass
        Assert.True(image.Pixels.Distinct().Count() > 10);
    }

    [Fact]
    public void Lcm_feeds_the_guidance_embedding_as_timestep_cond_and_runs_one_pass_per_step()
    {
        AssertChecksPass(models.Lcm);
        var model = DiffusionModel.Open(models.Lcm);
        Assert.Equal(ModelVariant.LatentConsistency, model.Recognition.Variant);
        Assert.Equal("LCMScheduler", model.SchedulerConfig.ClassName);
        using var pipeline = Open(models.Lcm);
        var strong = pipeline.Render(Request(steps: 4, cfg: 8.5));
        Assert.Equal(4, pipeline.Unet.RunCount);
        Assert.Equal("LCM", strong.Parameters.Sampler);
        // The scale reaches the UNet only through timestep_cond.
        Assert.NotEqual(strong.Pixels, pipeline.Render(Request(steps: 4, cfg: 2)).Pixels);
    }

    /// <summary>diffusers' get_guidance_scale_embedding(torch.tensor([7.5]), 8) (w = 8.5 − 1), computed with torch 1.13.</summary>
    [Fact]
    public void The_guidance_embedding_equals_diffusers()
    {
        float[] expected = [-0.8512359261512756f, 0.5626711249351501f, -0.4352330267429352f, 0.6816387176513672f,
            -0.5247832536697388f, -0.8266808390617371f, -0.9003178477287292f, 0.731688916683197f];
        var actual = GuidanceEmbedding.Create(8.5, 8);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5, $"[{i}] {actual[i]} vs {expected[i]}");
    }

    [Fact]
    public void A_distilled_unet_with_other_transformer_depths_checks_partitions_and_plans()
    {
        AssertChecksPass(models.Distilled);
        var layers = JsonNode.Parse(File.ReadAllText(Path.Combine(models.Distilled, "unet", "config.json")))!["transformer_layers_per_block"]!.AsArray();
        Assert.Equal([1, 2, 3], layers.Select(n => (int)n!));
        var model = DiffusionModel.Open(models.Distilled);
        var unet = OnnxModel.Load(model[DiffusionModel.Unet].Path);
        Assert.Contains(unet.Proto.Graph.Node, n => n.Name.StartsWith("/down_blocks.2/attentions.0/transformer_blocks.2/", StringComparison.Ordinal));
        long total = unet.Initializers.Sum(i => i.ByteLength);
        var segments = UnetPartitioner.Partition(unet, total / 3 + 1);
        Assert.InRange(segments.Count, 2, 8);

        var shape = MemoryPlanner.Describe(model, ExecutionDevice.Cpu);
        Assert.Equal([false, true, true], shape.HasAttention);
        Assert.Equal(total, shape.UnetBytes);

        using var whole = Open(models.Distilled);
        using var sessions = new ModelSessions(model);
        using var segmented = new TextToImagePipeline(sessions, new SegmentedUnetRunner(sessions, segments));
        Assert.Equal(whole.Render(Request()).Pixels, segmented.Render(Request()).Pixels);
    }

    [Fact]
    public void The_sdxl_refiner_is_refused_by_open_and_by_the_check()
    {
        string refiner = models.Refiner;
        Assert.False(Directory.Exists(Path.Combine(refiner, "text_encoder")));
        Assert.Equal([-1, 5], DiffusionModel.ReadComponent(refiner, DiffusionModel.Unet).Input("time_ids").Dimensions);
        var e = Assert.Throws<ModelInvalidException>(() => DiffusionModel.Open(refiner));
        Assert.Contains("SDXL refiner", e.Message);
        var layout = Assert.Single(ModelIntegrity.Check(refiner), c => c.Check == "Layout");
        Assert.Equal(ModelCheckStatus.Failed, layout.Status);
        Assert.Contains("SDXL refiner", layout.Detail);
    }

    [Fact]
    public void A_missing_external_data_file_is_a_plain_error_naming_the_component_and_the_fix()
    {
        string broken = models.Copy(models.Sdxl, "no-onnx-data");
        File.Delete(Path.Combine(broken, "unet", "model.onnx_data"));
        using var pipeline = Open(broken);
        var e = Assert.Throws<ModelInvalidException>(() => pipeline.Render(Request()));
        Assert.Equal(Path.Combine(broken, "unet", "model.onnx"), e.Path);
        Assert.Contains("model.onnx_data", e.Problem);
        Assert.Contains("Test-NanoBananaModel", e.Fix);
        Assert.DoesNotContain("tensorprotoutils", e.Message);
        Assert.IsType<OnnxRuntimeException>(e.InnerException);
        Assert.Contains(ModelIntegrity.Check(broken), c => c.Component == "unet" && c.Check == "External data" && c.Status == ModelCheckStatus.Failed);
    }

    /// <summary>A graph as ORT's transformers optimiser fuses it for CUDA: a com.microsoft GroupNorm in the VAE decoder.</summary>
    [Fact]
    public void A_gpu_only_contrib_op_is_named_by_the_check_and_by_the_load_error()
    {
        string fused = models.Copy(models.Sd15, "fused");
        var graph = new OnnxGraphBuilder("vae_decoder");
        graph.Model.OpsetImport.Add(new NanoBanana.Onnx.Proto.OperatorSetIdProto { Domain = ContribOps.Domain, Version = 1 });
        graph.AddInput("latent_sample", OnnxDataType.Float, "batch", 4, "height", "width");
        graph.AddInitializer("gamma", [4], new float[] { 1, 1, 1, 1 });
        graph.AddInitializer("beta", [4], new float[4]);
        var node = graph.AddNode("GroupNorm", ["latent_sample", "gamma", "beta"], ["sample"], "/decoder/GroupNorm",
            OnnxAttribute.Int("groups", 2), OnnxAttribute.Int("activation", 0), OnnxAttribute.Float("epsilon", 1e-5f));
        node.Domain = ContribOps.Domain;
        graph.AddOutput("sample", OnnxDataType.Float, "batch", 4, "height", "width");
        graph.Save(Path.Combine(fused, "vae_decoder", "model.onnx"));

        var check = Assert.Single(ModelIntegrity.Check(fused), c => c.Check == "Operators");
        Assert.Equal(("vae_decoder", ModelCheckStatus.Failed), (check.Component, check.Status));
        Assert.Contains("com.microsoft.GroupNorm", check.Detail);
        Assert.Equal(ModelCheckStatus.Warning, Assert.Single(ModelIntegrity.Check(fused, gpuProvider: true), c => c.Check == "Operators").Status);

        using var sessions = new ModelSessions(DiffusionModel.Open(fused));
        var e = Assert.Throws<ModelInvalidException>(() => sessions.Get(DiffusionModel.VaeDecoder));
        Assert.Contains("com.microsoft.GroupNorm", e.Problem);
        Assert.Contains("--optimize", e.Fix);
        Assert.IsType<OnnxRuntimeException>(e.InnerException);
    }
}
