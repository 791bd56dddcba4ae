using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NanoBanana.Onnx;

namespace NanoBanana.Engine.Tests.Onnx;

public class OnnxGraphBuilderTests
{
    [Fact]
    public void ModelWithExternalWeightsRunsInOnnxRuntime()
    {
        string dir = Directory.CreateTempSubdirectory("nb-builder-").FullName;
        try
        {
            var b = new OnnxGraphBuilder("affine");
            b.AddInput("x", OnnxDataType.Float, "batch", 512);
            b.AddOutput("y", OnnxDataType.Float, "batch", 512);
            using (var data = new ExternalDataWriter(Path.Combine(dir, "model.onnx_data")))
            {
                b.ExternalData = data;
                var weights = new float[512];
                for (int i = 0; i < weights.Length; i++) weights[i] = i * 0.5f;
                b.AddInitializer("scale", new long[] { 512 }, weights);
                b.ExternalData = null;
            }
            b.AddNode("Mul", new[] { "x", "scale" }, new[] { "y" });
            string modelPath = Path.Combine(dir, "model.onnx");
            b.Save(modelPath);

            Assert.Equal(TensorProtoLocation.External, Location(OnnxModelFile.Load(modelPath)));
            using var session = new InferenceSession(modelPath);
            var x = new DenseTensor<float>(Enumerable.Repeat(2f, 512).ToArray(), new[] { 1, 512 });
            using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("x", x) });
            var y = results.Single().AsTensor<float>();
            Assert.Equal(2f * 0.5f * 511, y[0, 511]);
            Assert.Equal(0f, y[0, 0]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private enum TensorProtoLocation { Inline, External }

    private static TensorProtoLocation Location(NanoBanana.Onnx.Proto.ModelProto model) =>
        model.Graph.Initializer.Single().DataLocation == NanoBanana.Onnx.Proto.TensorProto.Types.DataLocation.External
            ? TensorProtoLocation.External : TensorProtoLocation.Inline;
}
