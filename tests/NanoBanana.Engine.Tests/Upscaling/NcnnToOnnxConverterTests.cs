using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NanoBanana.Imaging.Upscaling;
using NanoBanana.Onnx;

namespace NanoBanana.Engine.Tests.Upscaling;

public class NcnnToOnnxConverterTests
{
    [RequiresUpscaleModelsFact("realesrgan-x4fast", "realesrgan-x4plus")]
    public void RealModelsConvertWithEveryWeightAndRunAtFourTimesTheSize()
    {
        AssertConvertsAndRuns("realesrgan-x4fast", 1_213_296);
        AssertConvertsAndRuns("realesrgan-x4plus", 16_697_987);
    }

    private static void AssertConvertsAndRuns(string model, long parameters)
    {
        var onnx = NcnnToOnnxConverter.Convert(Path.Combine(UpscaleModelFiles.NcnnDirectory, model + ".param"), Path.Combine(UpscaleModelFiles.NcnnDirectory, model + ".bin"));

        long count = onnx.Graph.Initializer.Where(t => !t.Name.EndsWith(".scales") && !t.Name.Contains(".coefficient"))
            .Sum(t => OnnxDataTypeExtensions.ElementCount(t.Dims));
        Assert.Equal(parameters, count);

        using var session = new InferenceSession(OnnxModelFile.ToBytes(onnx));
        var input = new DenseTensor<float>(Enumerable.Range(0, 3 * 6 * 5).Select(i => (i % 17) / 17f).ToArray(), new[] { 1, 3, 6, 5 });
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor(NcnnToOnnxConverter.InputName, input) });
        Assert.Equal(new[] { 1, 3, 24, 20 }, results.Single().AsTensor<float>().Dimensions.ToArray());
    }
}
