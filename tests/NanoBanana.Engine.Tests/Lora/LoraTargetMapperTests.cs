using NanoBanana.Lora;
using NanoBanana.Onnx;

namespace NanoBanana.Engine.Tests.Lora;

public class LoraTargetMapperTests
{
    private static OnnxGraphBuilder Linears(params string[] nodeNames)
    {
        var b = new OnnxGraphBuilder("g");
        b.AddInput("x", OnnxDataType.Float, 1, 4);
        for (int i = 0; i < nodeNames.Length; i++)
        {
            b.AddInitializer($"onnx::MatMul_{i}", new long[] { 4, 4 }, new float[16]);
            b.AddNode("MatMul", new[] { "x", $"onnx::MatMul_{i}" }, new[] { $"y{i}" }, nodeNames[i]);
        }
        return b;
    }

    private static LoraAdapter Kohya(string underscored) => new("k", LoraKeyFormat.Kohya, new[]
    {
        new LoraTarget(LoraComponent.Unet, underscored, "lora_unet_" + underscored, new float[8], new long[] { 2, 4 }, new float[8], new long[] { 4, 2 }, 2, 2, LoraLayerKind.Linear),
    });

    [Fact]
    public void KohyaUnderscoresResolveAgainstTheGraphsRealModulePaths()
    {
        var b = Linears("/down_blocks.1/attentions.0/transformer_blocks.0/attn1/to_q/MatMul", "/down_blocks.1/attentions.0/proj_in/MatMul");
        var mapping = LoraTargetMapper.Map(b.Graph, new[] { Kohya("down_blocks_1_attentions_0_transformer_blocks_0_attn1_to_q") }, LoraComponent.Unet);
        Assert.Equal("down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q", Assert.Single(mapping.Matches).Site.ModulePath);
        Assert.Null(mapping.Warning);
    }

    [Fact]
    public void AnAmbiguousKohyaKeyIsAnErrorNotAGuess()
    {
        var b = Linears("/a/b_c/MatMul", "/a_b/c/MatMul");
        var ex = Assert.Throws<InvalidDataException>(() => LoraTargetMapper.Map(b.Graph, new[] { Kohya("a_b_c") }, LoraComponent.Unet));
        Assert.Contains("a.b_c", ex.Message);
        Assert.Contains("a_b.c", ex.Message);
    }

    [Fact]
    public void TextEncoderTargetsAreLeftForTheTextEncoderGraph()
    {
        var b = Linears("/text_model/encoder/layers.0/self_attn/q_proj/MatMul");
        var target = Kohya("text_model_encoder_layers_0_self_attn_q_proj").Targets[0] with { Component = LoraComponent.TextEncoder };
        var adapter = new LoraAdapter("te", LoraKeyFormat.Kohya, new[] { target });
        Assert.Empty(LoraTargetMapper.Map(b.Graph, new[] { adapter }, LoraComponent.Unet).Matches);
        Assert.Single(LoraTargetMapper.Map(b.Graph, new[] { adapter }, LoraComponent.TextEncoder).Matches);
    }
}
