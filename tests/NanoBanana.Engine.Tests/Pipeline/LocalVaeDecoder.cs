using NanoBanana.Onnx;

namespace NanoBanana.Engine.Tests.Pipeline;

/// <summary>
/// A VAE decoder with only local operations (nearest ×8 upsampling and a 3×3 blur): each pixel depends on its
/// neighbours, as through a real decoder's convolutions, but nothing is global. A real decoder's GroupNorm and
/// mid-block attention see the whole image, so tiles of it differ from the whole everywhere; this one isolates
/// what tiled decoding itself must get right: tile placement and blending.
/// </summary>
internal static class LocalVaeDecoder
{
    public static void Write(string path)
    {
        var g = new OnnxGraphBuilder("vae_decoder");
        g.AddInput("latent_sample", OnnxDataType.Float, "batch", 4, "height", "width");
        string rgb = g.Op("Slice", "/rgb", ["latent_sample", g.Int64Constant("starts", 0), g.Int64Constant("ends", 3), g.Int64Constant("axes", 1)]);
        g.AddInitializer("scales", [4], new float[] { 1, 1, 8, 8 });
        string up = g.Op("Resize", "/upsample", [rgb, "", "scales"], OnnxAttribute.String("mode", "nearest"));
        var blur = new float[3 * 3 * 3 * 3];
        for (int c = 0; c < 3; c++) for (int k = 0; k < 9; k++) blur[(c * 3 + c) * 9 + k] = 1f / 9;
        g.AddInitializer("blur", [3, 3, 3, 3], blur);
        string smooth = g.Op("Conv", "/blur", [up, "blur"], OnnxAttribute.Ints("pads", 1, 1, 1, 1));
        // Undo the pipeline's 1/scaling_factor so latents of |x| ≲ 1 map to mid-range colours.
        string scaled = g.Op("Mul", "/unscale", [smooth, g.FloatScalar("vae_gain", 0.15f)]);
        g.AddNode("Tanh", [scaled], ["sample"]);
        g.AddOutput("sample", OnnxDataType.Float, "batch", 3, "height_out", "width_out");
        g.Save(path);
    }
}
