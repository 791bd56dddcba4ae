using NanoBanana.Onnx;

namespace NanoBanana.Engine.Tests.Synthetic;

/// <summary>The toolkit's graph queries on forge UNets: the weight behind every linear, in both export forms.</summary>
public sealed class WeightTracingTests(SyntheticModels models) : IClassFixture<SyntheticModels>
{
    const string ToQ = "/down_blocks.1/attentions.0/transformer_blocks.0/attn1/to_q/MatMul";

    static OnnxGraph Unet(string folder) => new(OnnxModelFile.Load(Path.Combine(folder, "unet", "model.onnx")).Graph);

    [Fact]
    public void A_named_linear_traces_through_its_transpose_to_the_diffusers_weight()
    {
        var graph = Unet(models.Xl);
        var trace = graph.TraceWeight(graph.Proto.Node.Single(n => n.Name == ToQ))!;
        Assert.Equal("down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q.weight", trace.Weight.Name);
        Assert.True(trace.Transposed);
        Assert.Null(trace.ComputeType);
    }

    [Fact]
    public void A_torch_export_linear_traces_to_its_anonymous_transposed_weight()
    {
        var graph = Unet(models.XlTorch);
        var trace = graph.TraceWeight(graph.Proto.Node.Single(n => n.Name == ToQ))!;
        Assert.StartsWith("onnx::MatMul_", trace.Weight.Name);
        Assert.False(trace.Transposed);
        // Stored [in, out]: 64 channels in, 64 out at the tiny model's second level.
        Assert.Equal([64L, 64L], trace.Weight.Dims);
    }

    [Fact]
    public void Fp16_weights_report_the_type_the_layer_computes_in()
    {
        var graph = Unet(models.XlHalfLegacy);
        var trace = graph.TraceWeight(graph.Proto.Node.Single(n => n.Name == ToQ))!;
        Assert.Equal((int)OnnxDataType.Float16, trace.Weight.DataType);
        Assert.Equal((int)OnnxDataType.Float, trace.ComputeType);
    }

    [Fact]
    public void Every_weighted_layer_traces_and_attention_products_do_not()
    {
        foreach (string folder in new[] { models.Xl, models.XlTorch })
        {
            var graph = Unet(folder);
            var layers = graph.Proto.Node.Where(n => n.OpType is "MatMul" or "Gemm" or "Conv").ToList();
            // q·kᵀ and scores·v: MatMuls directly under an attention module, not under one of its projections.
            var products = layers.Where(n => System.Text.RegularExpressions.Regex.IsMatch(n.Name, @"/attn\d/MatMul(_\d+)?$")).ToList();
            Assert.Equal(layers.Count(n => n.Name.Contains("/attn1/to_q/")) * 4, products.Count);
            Assert.All(products, n => Assert.Null(graph.TraceWeight(n)));
            Assert.All(layers.Except(products), n => Assert.NotNull(graph.TraceWeight(n)));
        }
    }

    [Fact]
    public void Declared_shapes_are_known_with_symbolic_dimensions_as_minus_one()
    {
        var graph = Unet(models.Xl);
        Assert.Equal([-1L, 4, -1, -1], graph.Shape("sample")!);
        Assert.Equal([-1L, 6], graph.Shape("time_ids")!);
        Assert.Equal([64L, 64], graph.Shape("down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q.weight")!);
        Assert.Null(graph.Shape(graph.Proto.Node.Single(n => n.Name == ToQ).Output[0]));
    }
}
