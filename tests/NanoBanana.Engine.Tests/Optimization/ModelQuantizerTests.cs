using NanoBanana.Engine.Tests.Synthetic;
using NanoBanana.Imaging;
using NanoBanana.Lora;
using NanoBanana.Models;
using NanoBanana.Onnx;
using NanoBanana.Pipeline;
using NanoBanana.Optimization;
using NanoBanana.Runtime;
using Xunit.Abstractions;

namespace NanoBanana.Engine.Tests.Optimization;

public sealed class ModelQuantizerTests(SyntheticModels models, ITestOutputHelper output) : IClassFixture<SyntheticModels>, IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("nb-quant-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Quantized(string source, WeightBits bits, QuantizationScheme scheme = QuantizationScheme.WeightOnly) =>
        ModelOptimizer.Optimize(source, Path.Combine(_dir, $"{Path.GetFileName(source)}-{bits}-{scheme}"), new(bits, Scheme: scheme)).Destination;

    NanoBananaEngine Engine() => new(new EngineOptions { UserDataDirectory = Path.Combine(_dir, "home") });

    static TextToImageRequest Request => new() { Prompt = "knolling of a drill", Seed = 3, Steps = 3, Width = 64, Height = 64 };

    [Fact]
    public void Block_codes_follow_MatMulNBits_layout_and_round_trip_within_half_a_step()
    {
        // One row of 32 weights, block 16: scales = max|w| / 7 (int4) and / 127 (int8); codes are q + 2^(bits-1).
        float[] w = Enumerable.Range(0, 32).Select(i => (i - 10) * 0.1f).ToArray();
        var (codes4, scales4) = BlockQuantizer.Quantize(1, 32, (_, k) => w[k], WeightBits.Int4, 16);
        Assert.Equal(new[] { 1f / 7, 2.1f / 7 }, scales4, (a, b) => Math.Abs(a - b) < 1e-6f);
        Assert.Equal(16, codes4.Length); // [1][2 blocks][8 bytes]
        // w0 = -1.0 → q -7 → code 1 (low nibble); w1 = -0.9 → q -6.3 → -6 → code 2 (high nibble).
        Assert.Equal(0x21, codes4[0]);
        var (codes8, scales8) = BlockQuantizer.Quantize(1, 32, (_, k) => w[k], WeightBits.Int8, 16);
        Assert.Equal(32, codes8.Length);
        Assert.Equal(1, codes8[0]); // -1.0 → q -127 → code 1
        for (int k = 0; k < 32; k++)
        {
            float step4 = scales4[k / 16], step8 = scales8[k / 16];
            Assert.True(Math.Abs(BlockQuantizer.Dequantize(codes4, scales4, 32, 0, k, WeightBits.Int4, 16) - w[k]) <= step4 / 2 + 1e-6f);
            Assert.True(Math.Abs(BlockQuantizer.Dequantize(codes8, scales8, 32, 0, k, WeightBits.Int8, 16) - w[k]) <= step8 / 2 + 1e-6f);
        }
    }

    [Fact]
    public void Column_codes_follow_DynamicQuantizeMatMul_layout_and_round_trip_within_half_a_step()
    {
        // W is [N = 2][K = 3] (out, in); codes come out [K][N] with one scale per output column.
        float[,] w = { { 0.6f, -1.0f, 0.25f }, { 0.0f, 0.0f, 0.0f } };
        var (codes, scales) = ColumnQuantizer.Quantize(2, 3, (n, k) => w[n, k]);
        Assert.Equal(new[] { 1f / ColumnQuantizer.MaxCode, 0f }, scales);
        Assert.Equal(new sbyte[] { 38, 0, -63, 0, 16, 0 }, codes); // 7-bit codes: 0.6·63 = 37.8 → 38; an all-zero column stays 0
        for (int k = 0; k < 3; k++)
            Assert.True(Math.Abs(ColumnQuantizer.Dequantize(codes, scales, 2, k, 0) - w[0, k]) <= scales[0] / 2 + 1e-6f);
    }

    /// <summary>One linear layer, quantised with dynamic activations and run in ONNX Runtime, gives the original product
    /// within int8's error: on fp32 activations, and on fp16 ones (as an fp16 Optimum export computes; the synthetic
    /// fp16 models compute in fp32), cast to fp32 and back around DynamicQuantizeMatMul.</summary>
    [Theory]
    [InlineData(OnnxDataType.Float)]
    [InlineData(OnnxDataType.Float16)]
    public void A_dynamic_layer_gives_the_original_product_within_the_int8_error(OnnxDataType activations)
    {
        const int m = 5, k = 64, n = 16;
        var random = new Random(3);
        float[] x = Enumerable.Range(0, m * k).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        float[] w = Enumerable.Range(0, k * n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var builder = new OnnxGraphBuilder("linear");
        builder.AddInput("x", activations, m, k);
        if (activations == OnnxDataType.Float16) builder.AddInitializer("w", [k, n], w.Select(v => (Half)v).ToArray());
        else builder.AddInitializer("w", [k, n], w);
        builder.AddNode("MatMul", ["x", "w"], ["y"], "/proj/MatMul");
        builder.AddOutput("y", activations, m, n);

        var model = builder.Model.Clone();
        var graph = ModelQuantizer.Quantize(DiffusionModel.Unet, model, "linear", WeightBits.Int8, 128, QuantizationScheme.Dynamic);
        model.Graph.Initializer.Clear();
        foreach (var (name, type, dims, bytes) in ModelQuantizer.Encode("w", graph.Weights["w"], w))
        {
            var tensor = new NanoBanana.Onnx.Proto.TensorProto { Name = name, DataType = (int)type, RawData = Google.Protobuf.ByteString.CopyFrom(bytes) };
            tensor.Dims.AddRange(dims);
            model.Graph.Initializer.Add(tensor);
        }
        Assert.Equal(activations == OnnxDataType.Float16 ? ["Cast", ModelQuantizer.DynamicOpType, "Cast"] : [ModelQuantizer.DynamicOpType], model.Graph.Node.Select(node => node.OpType));

        float[] Run(NanoBanana.Onnx.Proto.ModelProto graphModel)
        {
            using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(Google.Protobuf.MessageExtensions.ToByteArray(graphModel));
            using var input = activations == OnnxDataType.Float16
                ? Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(x.Select(v => (Microsoft.ML.OnnxRuntime.Float16)v).ToArray(), [m, k])
                : Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(x, [m, k]);
            using var results = session.Run(new Microsoft.ML.OnnxRuntime.RunOptions(), new Dictionary<string, Microsoft.ML.OnnxRuntime.OrtValue> { ["x"] = input }, session.OutputNames);
            return activations == OnnxDataType.Float16
                ? results[0].GetTensorDataAsSpan<Microsoft.ML.OnnxRuntime.Float16>().ToArray().Select(v => (float)v).ToArray()
                : results[0].GetTensorDataAsSpan<float>().ToArray();
        }
        float[] expected = Run(builder.Model), actual = Run(model);
        // Activations in steps of 2/255 and weights in steps of max|w|/63 over 64 products: a few hundredths at most.
        double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        output.WriteLine($"{activations}: max |y| {expected.Max(Math.Abs):F3}, max error {worst:F4}");
        Assert.InRange(worst, 1e-6, 0.06);
    }

    [Theory]
    [InlineData(WeightBits.Int8, QuantizationScheme.WeightOnly)]
    [InlineData(WeightBits.Int4, QuantizationScheme.WeightOnly)]
    [InlineData(WeightBits.Int8, QuantizationScheme.Dynamic)]
    public void The_copy_passes_the_model_checks_with_every_linear_weight_quantised(WeightBits bits, QuantizationScheme scheme)
    {
        var report = ModelOptimizer.Optimize(models.XlTorch, Path.Combine(_dir, "q"), new(bits, Scheme: scheme));
        Assert.Equal(scheme, report.Scheme);
        foreach (var check in ModelIntegrity.Check(report.Destination)) Assert.True(check.Status != ModelCheckStatus.Failed, $"{check.Component} {check.Check}: {check.Detail}");
        Assert.Equal(ModelQuantizer.Components.Count, report.Components.Count);
        foreach (var component in report.Components)
        {
            output.WriteLine($"{bits} {scheme} {component.Component}: {component.QuantizedLayers} layers, {component.SourceWeightBytes:N0} → {component.WeightBytes:N0} bytes; kept {component.KeptLayers.Count}");
            Assert.True(component.QuantizedLayers > 0);
            Assert.True(component.WeightBytes < component.SourceWeightBytes);
            var graph = OnnxModel.Load(Path.Combine(report.Destination, component.Component, "model.onnx")).Graph;
            // No MatMul or Gemm with a weight is left, and the convolutions are kept.
            Assert.DoesNotContain(graph.Proto.Node, n => n.OpType is "MatMul" or "Gemm" && graph.TraceWeight(n) is not null);
            // Dynamic activations in the UNet only; the text encoders, run once per image, stay weight-only.
            var expected = component.Component == DiffusionModel.Unet ? scheme : QuantizationScheme.WeightOnly;
            Assert.Equal(expected, component.Scheme);
            Assert.Equal(component.QuantizedLayers, graph.Proto.Node.Count(n => n.OpType == (expected == QuantizationScheme.Dynamic ? ModelQuantizer.DynamicOpType : ModelQuantizer.OpType)));
            // The default block keeps a scale, fp32 or fp16, at half a bit per weight or less in a layer it divides
            // (Int4 at block 32 with fp32 scales paid a whole bit).
            foreach (var layer in graph.Proto.Node.Where(n => n.OpType == ModelQuantizer.OpType && n.Attribute.Single(a => a.Name == "K").I % report.BlockSize == 0))
            {
                var scales = graph.Proto.Initializer.Single(t => t.Name == layer.Input[2]);
                long weights = layer.Attribute.Single(a => a.Name == "K").I * layer.Attribute.Single(a => a.Name == "N").I;
                Assert.True(scales.Dims[0] * ((OnnxDataType)scales.DataType).SizeInBytes() * 8.0 / weights <= 0.5, $"{layer.Name}: scales cost more than half a bit per weight");
            }
        }
        Assert.Contains(OnnxModel.Load(Path.Combine(report.Destination, "unet", "model.onnx")).Proto.Graph.Node, n => n.OpType == "Conv");
        // Everything else is a byte-identical copy.
        Assert.Equal(File.ReadAllBytes(Path.Combine(models.XlTorch, "vae_decoder", "model.onnx")), File.ReadAllBytes(Path.Combine(report.Destination, "vae_decoder", "model.onnx")));
        Assert.Equal(File.ReadAllText(Path.Combine(models.XlTorch, "model_index.json")), File.ReadAllText(Path.Combine(report.Destination, "model_index.json")));
    }

    [Fact]
    public void An_int8_copy_renders_in_every_memory_mode_close_to_its_fp32_source()
    {
        string int8 = Quantized(models.Xl, WeightBits.Int8), int4 = Quantized(models.Xl, WeightBits.Int4);
        using var engine = Engine();
        var reference = engine.Render(models.Xl, Request);
        var full = engine.Render(int8, Request);
        var fourBit = ImageComparison.Compare(reference, engine.Render(int4, Request));
        var eightBit = ImageComparison.Compare(reference, full);
        output.WriteLine($"Full vs fp32: int8 PSNR {eightBit.Psnr:F1} dB, max {eightBit.MaxDifference}; int4 PSNR {fourBit.Psnr:F1} dB, max {fourBit.MaxDifference}");
        Assert.True(eightBit.Psnr >= 30, $"int8 PSNR {eightBit.Psnr:F1} dB");
        Assert.True(fourBit.Psnr >= 15, $"int4 PSNR {fourBit.Psnr:F1} dB");
        // Streamed segments (Low) load without pre-packing, where MatMulNBits takes another kernel: a few levels
        // apart from Full, so each mode is held to the same tolerance against fp32.
        foreach (var mode in new[] { MemoryMode.Balanced, MemoryMode.Low })
        {
            engine.OpenSession(new EngineSessionOptions { ModelPath = int8, MemoryMode = mode, BudgetBytes = 400L << 20 });
            var result = ImageComparison.Compare(reference, engine.Render(int8, Request));
            output.WriteLine($"{mode}: {engine.GetSessionInfo().SegmentCount} segments, int8 vs fp32 PSNR {result.Psnr:F1} dB, max {result.MaxDifference}");
            Assert.True(result.Psnr >= 30, $"{mode}: int8 PSNR {result.Psnr:F1} dB against fp32");
        }
    }

    /// <summary>Int8 with dynamic activations renders in every memory mode, and from an fp16 model, within the same
    /// 30 dB of its source as weight-only Int8.</summary>
    [Fact]
    public void A_dynamic_int8_copy_renders_in_every_memory_mode_and_from_an_fp16_model_close_to_its_source()
    {
        string dynamic = Quantized(models.Xl, WeightBits.Int8, QuantizationScheme.Dynamic);
        using var engine = Engine();
        var reference = engine.Render(models.Xl, Request);
        foreach (var mode in new[] { MemoryMode.Full, MemoryMode.Balanced, MemoryMode.Low })
        {
            engine.OpenSession(new EngineSessionOptions { ModelPath = dynamic, MemoryMode = mode, BudgetBytes = mode == MemoryMode.Full ? null : 400L << 20 });
            var result = ImageComparison.Compare(reference, engine.Render(dynamic, Request));
            output.WriteLine($"{mode}: {engine.GetSessionInfo().SegmentCount} segments, dynamic int8 vs fp32 PSNR {result.Psnr:F1} dB, max {result.MaxDifference}");
            Assert.True(result.Psnr >= 30, $"{mode}: dynamic int8 PSNR {result.Psnr:F1} dB against fp32");
        }

        // An fp16 model (its layers compute in fp32 behind casts of the fp16 weights) renders close to itself too.
        string half = Quantized(models.XlHalfLegacy, WeightBits.Int8, QuantizationScheme.Dynamic);
        engine.OpenSession(new EngineSessionOptions { ModelPath = half });
        var fromHalf = ImageComparison.Compare(engine.Render(models.XlHalfLegacy, Request), engine.Render(half, Request));
        output.WriteLine($"fp16 source: dynamic int8 vs fp16 PSNR {fromHalf.Psnr:F1} dB, max {fromHalf.MaxDifference}");
        Assert.True(fromHalf.Psnr >= 30, $"dynamic int8 of an fp16 model: PSNR {fromHalf.Psnr:F1} dB against it");
    }

    [Theory]
    [InlineData(QuantizationScheme.WeightOnly, "MatMulNBits")]
    [InlineData(QuantizationScheme.Dynamic, "DynamicQuantizeMatMul")]
    public void A_lora_gets_its_branch_on_every_quantised_layer(QuantizationScheme scheme, string opType)
    {
        string lora = Path.Combine(_dir, "style.safetensors");
        SyntheticLora.Create(models.Xl, lora, rank: 4, LoraKeyFormat.Kohya, seed: 5);
        string int8 = Quantized(models.Xl, WeightBits.Int8, scheme);
        var sites = LoraTargetMapper.FindSites(OnnxModelFile.Load(Path.Combine(models.Xl, "unet", "model.onnx")).Graph);
        var quantizedSites = LoraTargetMapper.FindSites(OnnxModelFile.Load(Path.Combine(int8, "unet", "model.onnx")).Graph);
        Assert.Equal(sites.Keys.Order(), quantizedSites.Keys.Order());
        foreach (var (path, site) in sites)
        {
            Assert.Equal((site.InFeatures, site.OutFeatures), (quantizedSites[path].InFeatures, quantizedSites[path].OutFeatures));
            Assert.Equal(site.IsConv ? "Conv" : opType, quantizedSites[path].Node.OpType);
        }

        using var engine = Engine();
        var plain = engine.Render(int8, Request);
        var (_, warning) = engine.SetLora(lora, "style", 1.0);
        Assert.Null(warning);
        var reference = engine.Render(models.Xl, Request);
        var styled = engine.Render(int8, Request);
        var difference = ImageComparison.Compare(reference, styled);
        output.WriteLine($"with LoRA, int8 vs fp32: PSNR {difference.Psnr:F1} dB, max {difference.MaxDifference}; LoRA changed {ImageComparison.Compare(plain, styled).DifferentPixelFraction:P1} of pixels");
        Assert.True(difference.Psnr >= 30, $"int8 + LoRA vs fp32 + LoRA: PSNR {difference.Psnr:F1} dB");
        Assert.NotEqual(plain.Pixels, styled.Pixels);
    }

    [Fact]
    public void Bad_input_gets_a_clear_error_and_leaves_nothing_behind()
    {
        string destination = Path.Combine(_dir, "exists");
        Directory.CreateDirectory(destination);
        Assert.Contains("already exists", Assert.Throws<IOException>(() => ModelOptimizer.Optimize(models.Sd15, destination, new(WeightBits.Int8))).Message);

        string once = Quantized(models.Sd15, WeightBits.Int4);
        var again = Assert.Throws<InvalidDataException>(() => ModelOptimizer.Optimize(once, Path.Combine(_dir, "twice"), new(WeightBits.Int8)));
        Assert.Contains("already quantised", again.Message);
        Assert.Contains("MatMulNBits", again.Message);

        Assert.Throws<ArgumentOutOfRangeException>(() => ModelOptimizer.Optimize(models.Sd15, Path.Combine(_dir, "b"), new(WeightBits.Int8, 24)));
        // Dynamic quantisation is int8 with per-column scales: no Int4, no block.
        Assert.Contains("Int8Dynamic", Assert.Throws<ArgumentException>(() => ModelOptimizer.Optimize(models.Sd15, Path.Combine(_dir, "b4"), new(WeightBits.Int4, Scheme: QuantizationScheme.Dynamic))).Message);
        Assert.Contains("-BlockSize", Assert.Throws<ArgumentException>(() => ModelOptimizer.Optimize(models.Sd15, Path.Combine(_dir, "b5"), new(WeightBits.Int8, 64, Scheme: QuantizationScheme.Dynamic))).Message);
        string dynamic = Quantized(models.Sd15, WeightBits.Int8, QuantizationScheme.Dynamic);
        Assert.Contains("DynamicQuantizeMatMul", Assert.Throws<InvalidDataException>(() => ModelOptimizer.Optimize(dynamic, Path.Combine(_dir, "twice-dynamic"), new(WeightBits.Int4))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelOptimizer.Optimize(models.Sd15, Path.Combine(_dir, "c"), new((WeightBits)5)));
        Assert.Throws<DirectoryNotFoundException>(() => ModelOptimizer.Optimize(Path.Combine(_dir, "nowhere"), Path.Combine(_dir, "d"), new(WeightBits.Int8)));

        // A Gemm with transA (which MatMulNBits cannot express) is refused by name; no partial folder remains.
        string odd = models.Copy(models.Sd15, "odd");
        string unet = Path.Combine(odd, "unet", "model.onnx");
        var proto = OnnxModelFile.Load(unet);
        var gemm = proto.Graph.Node.First(n => n.OpType == "Gemm");
        gemm.Attribute.Add(OnnxAttribute.Int("transA", 1));
        OnnxModelFile.Save(proto, unet);
        var unsupported = Assert.Throws<NotSupportedException>(() => ModelOptimizer.Optimize(odd, Path.Combine(_dir, "e"), new(WeightBits.Int8)));
        Assert.Contains(gemm.Name, unsupported.Message);
        Assert.Contains("transA", unsupported.Message);
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_dir), e => Path.GetFileName(e) == "e" || e.Contains(".partial-"));
    }
}
