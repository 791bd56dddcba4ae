using NanoBanana.Onnx;

namespace NanoBanana.Engine.Tests.Lora;

/// <summary>
/// A small UNet-like model folder (<c>unet/model.onnx</c> + external data) with the layer styles real
/// exports have: a 3×3 conv, Named Linears (<c>….weight</c> [out,in] through Transpose, and a Gemm with
/// transB), anonymous TorchExport Linears (<c>onnx::MatMul_*</c> [in,out]), and an attention-score MatMul
/// without weights. Stand-in until the forge's synthetic SDXL UNet is merged into this branch.
/// </summary>
internal static class TinyUnetModel
{
    public const int Channels = 8, Tokens = 36, Hidden = 16;
    private const string Attn = "down_blocks.0/attentions.0/transformer_blocks.0";

    public static string Create(string folder, int seed = 1)
    {
        var random = new Random(seed);
        float[] R(long n) => Enumerable.Range(0, (int)n).Select(_ => (random.NextSingle() * 2 - 1) * 0.4f).ToArray();
        string unet = Directory.CreateDirectory(Path.Combine(folder, "unet")).FullName;
        var b = new OnnxGraphBuilder("unet");
        b.AddInput("sample", OnnxDataType.Float, 1, 4, 6, 6);
        b.AddOutput("out_sample", OnnxDataType.Float, 1, Tokens, Channels);
        using (var data = new ExternalDataWriter(Path.Combine(unet, "model.onnx_data")))
        {
            b.ExternalData = data;
            b.ExternalDataThresholdBytes = 0;
            b.AddInitializer("conv_in.weight", new long[] { Channels, 4, 3, 3 }, R(Channels * 4 * 9));
            b.AddInitializer("conv_in.bias", new long[] { Channels }, R(Channels));
            b.AddInitializer($"{Attn.Replace('/', '.')}.attn1.to_q.weight", new long[] { Channels, Channels }, R(64));
            b.AddInitializer("onnx::MatMul_101", new long[] { Channels, Channels }, R(64));
            b.AddInitializer($"{Attn.Replace('/', '.')}.attn1.to_out.0.weight", new long[] { Channels, Channels }, R(64));
            b.AddInitializer($"{Attn.Replace('/', '.')}.attn1.to_out.0.bias", new long[] { Channels }, R(Channels));
            b.AddInitializer("onnx::MatMul_102", new long[] { Channels, Hidden }, R(Channels * Hidden));
            b.AddInitializer($"{Attn.Replace('/', '.')}.ff.net.2.weight", new long[] { Channels, Hidden }, R(Channels * Hidden));
            b.ExternalData = null;
        }
        string A(string rest) => $"/{Attn}/{rest}";
        string conv = b.Op("Conv", "/conv_in/Conv", new[] { "sample", "conv_in.weight", "conv_in.bias" }, OnnxAttribute.Ints("pads", 1, 1, 1, 1));
        string nhwc = b.Op("Transpose", "/Transpose", new[] { conv }, OnnxAttribute.Ints("perm", 0, 2, 3, 1));
        string tokens = b.Op("Reshape", "/Reshape", new[] { nhwc, b.Int64Constant("tokens_shape", 1, Tokens, Channels) });
        string qT = b.Op("Transpose", A("attn1/to_q/Transpose"), new[] { $"{Attn.Replace('/', '.')}.attn1.to_q.weight" }, OnnxAttribute.Ints("perm", 1, 0));
        string q = b.Op("MatMul", A("attn1/to_q/MatMul"), new[] { tokens, qT });
        string k = b.Op("MatMul", A("attn1/to_k/MatMul"), new[] { tokens, "onnx::MatMul_101" });
        string kT = b.Op("Transpose", A("attn1/Transpose"), new[] { k }, OnnxAttribute.Ints("perm", 0, 2, 1));
        string scores = b.Op("Softmax", A("attn1/Softmax"), new[] { b.Op("MatMul", A("attn1/MatMul"), new[] { q, kT }) }, OnnxAttribute.Int("axis", -1));
        string mixed = b.Op("Add", A("attn1/Add"), new[] { b.Op("MatMul", A("attn1/MatMul_1"), new[] { scores, k }), q });
        string flat = b.Op("Reshape", A("attn1/Reshape"), new[] { mixed, b.Int64Constant("flat_shape", Tokens, Channels) });
        string projected = b.Op("Gemm", A("attn1/to_out.0/Gemm"),
            new[] { flat, $"{Attn.Replace('/', '.')}.attn1.to_out.0.weight", $"{Attn.Replace('/', '.')}.attn1.to_out.0.bias" }, OnnxAttribute.Int("transB", 1));
        string back = b.Op("Reshape", A("attn1/Reshape_1"), new[] { projected, b.Int64Constant("back_shape", 1, Tokens, Channels) });
        string ff0 = b.Op("MatMul", A("ff/net.0/proj/MatMul"), new[] { back, "onnx::MatMul_102" });
        string gelu = b.Op("Tanh", A("ff/net.1/Tanh"), new[] { ff0 });
        string ff2T = b.Op("Transpose", A("ff/net.2/Transpose"), new[] { $"{Attn.Replace('/', '.')}.ff.net.2.weight" }, OnnxAttribute.Ints("perm", 1, 0));
        string ff2 = b.Op("MatMul", A("ff/net.2/MatMul"), new[] { gelu, ff2T });
        b.AddNode("Add", new[] { ff2, back }, new[] { "out_sample" }, "/Add_out");
        string path = Path.Combine(unet, "model.onnx");
        b.Save(path);
        return path;
    }
}
