using NanoBanana.Engine.Tests.Parity;
using NanoBanana.Engine.Tests.Synthetic;
using NanoBanana.Imaging;
using NanoBanana.Lora;
using NanoBanana.Models;
using NanoBanana.Onnx;
using NanoBanana.Optimization;
using NanoBanana.Pipeline;
using NanoBanana.Runtime;
using Xunit.Abstractions;

namespace NanoBanana.Engine.Tests.Optimization;

/// <summary>
/// <c>-FuseAttention</c>: every unmasked attention of the UNet becomes one MultiHeadAttention, on the
/// synthetic graphs (4-D, scaled after the product) and on Optimum's real exports (3-D, torch 1.x's baddbmm); the
/// fused model renders as its source does, within float rounding (ORT's flash attention sums in another order).
/// </summary>
public sealed class AttentionFusionTests(SyntheticModels models, ITestOutputHelper output) : IClassFixture<SyntheticModels>, IDisposable
{
    const int Tolerance = 1;
    readonly string _dir = Directory.CreateTempSubdirectory("nb-fuse-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Fused(string source, WeightBits? bits = null) =>
        ModelOptimizer.Optimize(source, Path.Combine(_dir, $"{Path.GetFileName(source)}-fused{bits}"), new(bits, FuseAttention: true)).Destination;

    NanoBananaEngine Engine() => new(new EngineOptions { UserDataDirectory = Path.Combine(_dir, "home") });

    static TextToImageRequest Request => new() { Prompt = "knolling of a drill", Seed = 3, Steps = 3, Width = 64, Height = 64 };

    static int Count(string folder, string component, string op) =>
        OnnxModelFile.Load(Path.Combine(folder, component, "model.onnx")).Graph.Node.Count(n => n.OpType == op);

    [Theory]
    [InlineData("synthetic")]
    [InlineData("optimum-sdxl")]
    [InlineData("optimum-sd15")]
    public void Every_unmasked_attention_of_the_unet_is_fused_and_the_other_components_are_kept(string which)
    {
        string source = which switch { "synthetic" => models.Xl, "optimum-sdxl" => DiffusersFixtures.Sdxl, _ => DiffusersFixtures.Sd15 };
        var report = ModelOptimizer.Optimize(source, Path.Combine(_dir, which), new(FuseAttention: true));
        int attentions = Count(source, DiffusionModel.Unet, "Softmax");
        output.WriteLine($"{which} unet: {attentions} attentions → {Count(report.Destination, DiffusionModel.Unet, AttentionFusion.OpType)} fused");
        Assert.True(attentions > 0);
        Assert.Equal(attentions, report.Components.Single(c => c.Component == DiffusionModel.Unet).FusedAttentions);
        Assert.Equal(attentions, Count(report.Destination, DiffusionModel.Unet, AttentionFusion.OpType));
        Assert.Equal(0, Count(report.Destination, DiffusionModel.Unet, "Softmax"));
        // CLIP's attention is causal-masked, the VAE's is not where its memory goes: both are copied as they are.
        foreach (var component in new[] { DiffusionModel.TextEncoder, DiffusionModel.VaeDecoder, DiffusionModel.VaeEncoder })
            Assert.Equal(File.ReadAllBytes(Path.Combine(source, component, "model.onnx")), File.ReadAllBytes(Path.Combine(report.Destination, component, "model.onnx")));
        foreach (var check in ModelIntegrity.Check(report.Destination)) Assert.True(check.Status != ModelCheckStatus.Failed, $"{check.Component} {check.Check}: {check.Detail}");
        Assert.True(DiffusionModel.Open(report.Destination)[DiffusionModel.Unet].FusedAttention);
    }

    /// <summary>The real exports render as before: each diffusers case within the parity tests' own tolerance of the
    /// unfused engine's image.</summary>
    [Theory]
    [InlineData("A")]
    [InlineData("D")]
    public void An_optimum_export_renders_the_same_image_fused(string id)
    {
        var c = DiffusersFixtures.Cases[id];
        string fused = Fused(c.ModelFolder);
        var request = new TextToImageRequest
        {
            Prompt = c.Prompt, NegativePrompt = c.NegativePrompt ?? "", Seed = c.Seed, Steps = c.Steps, CfgScale = c.Guidance,
            Width = c.Width, Height = c.Height, Scheduler = c.EngineScheduler,
        };
        using var engine = Engine();
        var result = ImageComparison.Compare(engine.Render(c.ModelFolder, request), engine.Render(fused, request));
        var reference = ImageComparison.Compare(ImageCodec.Read(c.Png), engine.Render(fused, request));
        output.WriteLine($"case {id} ({c.Model}): fused vs unfused max {result.MaxDifference}, PSNR {result.Psnr:F1} dB; fused vs diffusers max {reference.MaxDifference}");
        Assert.True(result.MaxDifference <= Tolerance, $"fused vs unfused: max difference {result.MaxDifference}");
    }

    [Fact]
    public void A_fused_model_renders_in_every_memory_mode_with_a_lora_and_quantised()
    {
        string lora = Path.Combine(_dir, "style.safetensors");
        SyntheticLora.Create(models.Xl, lora, rank: 4, LoraKeyFormat.Kohya, seed: 5);
        string fused = Fused(models.Xl), fusedInt8 = Fused(models.Xl, WeightBits.Int8);
        using var engine = Engine();
        var reference = engine.Render(models.Xl, Request);
        var full = ImageComparison.Compare(reference, engine.Render(fused, Request));
        output.WriteLine($"Full: fused vs source max {full.MaxDifference}");
        Assert.True(full.MaxDifference <= Tolerance, $"Full: max difference {full.MaxDifference}");
        var int8 = ImageComparison.Compare(reference, engine.Render(fusedInt8, Request));
        output.WriteLine($"fused Int8 vs fp32 source: PSNR {int8.Psnr:F1} dB, max {int8.MaxDifference}");
        Assert.True(int8.Psnr >= 30, $"fused Int8 PSNR {int8.Psnr:F1} dB");
        foreach (var mode in new[] { MemoryMode.Balanced, MemoryMode.Low })
        {
            engine.OpenSession(new EngineSessionOptions { ModelPath = fused, MemoryMode = mode, BudgetBytes = 400L << 20 });
            var result = ImageComparison.Compare(reference, engine.Render(fused, Request));
            output.WriteLine($"{mode}: {engine.GetSessionInfo().SegmentCount} segments, fused vs source max {result.MaxDifference}");
            Assert.True(result.MaxDifference <= Tolerance, $"{mode}: max difference {result.MaxDifference}");
        }

        engine.OpenSession(new EngineSessionOptions { ModelPath = models.Xl });
        var (_, warning) = engine.SetLora(lora, "style", 1.0);
        Assert.Null(warning);
        var styledReference = engine.Render(models.Xl, Request);
        var styled = engine.Render(fused, Request);
        var withLora = ImageComparison.Compare(styledReference, styled);
        output.WriteLine($"with LoRA: fused vs source max {withLora.MaxDifference}");
        Assert.True(withLora.MaxDifference <= Tolerance, $"with LoRA: max difference {withLora.MaxDifference}");
        Assert.NotEqual(reference.Pixels, styled.Pixels);
    }

    /// <summary>fp16 exports fuse too (the full-size SDXL copies are fp16), and still render on the CPU.</summary>
    [Fact]
    public void An_fp16_model_fuses_and_renders_as_before()
    {
        using var engine = Engine();
        var result = ImageComparison.Compare(engine.Render(models.XlHalfLegacy, Request), engine.Render(Fused(models.XlHalfLegacy), Request));
        output.WriteLine($"fp16: fused vs source max {result.MaxDifference}, PSNR {result.Psnr:F1} dB");
        Assert.True(result.MaxDifference <= Tolerance, $"fp16: max difference {result.MaxDifference}");
    }

    /// <summary>The planner stops counting score matrices for fused attention: at 1024² that is most of SDXL's UNet
    /// activations.</summary>
    [Fact]
    public void The_planner_drops_the_score_matrices_of_a_fused_model()
    {
        var plain = MemoryPlanner.Describe(DiffusionModel.Open(models.Xl), ExecutionDevice.Cpu);
        var fused = MemoryPlanner.Describe(DiffusionModel.Open(Fused(models.Xl)), ExecutionDevice.Cpu);
        Assert.False(plain.UnetAttentionFused);
        Assert.True(fused.UnetAttentionFused);
        long before = MemoryPlanner.UnetActivationBytes(plain, 1024, 1024, 1), after = MemoryPlanner.UnetActivationBytes(fused, 1024, 1024, 1);
        output.WriteLine($"1024²: UNet activations {before >> 20} → {after >> 20} MiB");
        Assert.True(after < before / 4, $"{before} → {after}");
        Assert.Equal(MemoryPlanner.VaeActivationBytes(plain, 1024, 1024, null), MemoryPlanner.VaeActivationBytes(fused, 1024, 1024, null));
    }

    [Fact]
    public void Bad_input_gets_a_clear_error_and_leaves_nothing_behind()
    {
        string fused = Fused(models.Sd15);
        var again = Assert.Throws<InvalidDataException>(() => ModelOptimizer.Optimize(fused, Path.Combine(_dir, "again"), new(FuseAttention: true)));
        Assert.Contains("already has fused attention", again.Message);
        // Quantising a fused copy is fine: the two rewrites touch different nodes.
        Assert.True(ModelOptimizer.Optimize(fused, Path.Combine(_dir, "fused-int4"), new(WeightBits.Int4)).Components.All(c => c.FusedAttentions == 0));

        Assert.Contains("Nothing to do", Assert.Throws<ArgumentException>(() => ModelOptimizer.Optimize(models.Sd15, Path.Combine(_dir, "none"), new())).Message);
        Assert.Contains("-BlockSize", Assert.Throws<ArgumentException>(() => ModelOptimizer.Optimize(models.Sd15, Path.Combine(_dir, "block"), new(BlockSize: 32, FuseAttention: true))).Message);

        // A model whose every attention is masked has nothing to fuse: refused by name, no partial folder left.
        string masked = models.Copy(models.Sd15, "masked"), unet = Path.Combine(masked, DiffusionModel.Unet, "model.onnx");
        var proto = OnnxModelFile.Load(unet);
        foreach (var softmax in proto.Graph.Node.Where(n => n.OpType == "Softmax").ToList())
        {
            var mask = new NanoBanana.Onnx.Proto.NodeProto { OpType = "Add", Name = softmax.Name + "/mask", Input = { softmax.Input[0], softmax.Input[0] }, Output = { softmax.Name + "/masked" } };
            proto.Graph.Node.Insert(proto.Graph.Node.IndexOf(softmax), mask);
            softmax.Input[0] = mask.Output[0];
        }
        OnnxModelFile.Save(proto, unet);
        var nothing = Assert.Throws<NotSupportedException>(() => ModelOptimizer.Optimize(masked, Path.Combine(_dir, "masked-fused"), new(FuseAttention: true)));
        Assert.Contains("no attention this module can fuse", nothing.Message);
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_dir), e => Path.GetFileName(e) == "masked-fused" || e.Contains(".partial-"));
    }
}
