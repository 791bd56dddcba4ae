using NanoBanana.Limits;
using NanoBanana.Onnx;
using NanoBanana.Onnx.Proto;

namespace NanoBanana.Imaging.Upscaling;

/// <summary>
/// Converts an ncnn super-resolution model (the Real-ESRGAN family upscayl ships) into an ONNX graph with
/// input <c>input</c> [1,3,H,W] and output <c>output</c> [1,3,sH,sW], RGB in [0,1]. Weights are stored as
/// fp32 initializers (fp16 blobs are widened) so the CPU runs them at full precision.
/// Supported layers: Input, Split, Concat, Convolution (with fused ReLU/LeakyReLU), PReLU, PixelShuffle,
/// Interp (nearest), Eltwise (sum with coefficients, product, max) and BinaryOp (add).
/// </summary>
public static class NcnnToOnnxConverter
{
    public const string InputName = "input";
    public const string OutputName = "output";

    public static ModelProto Convert(string paramPath, string binPath)
    {
        const string fix = "Real-ESRGAN's files are far smaller; check you picked the model's .param and .bin.";
        string text = InputLimits.ReadText(paramPath, InputLimits.MaxNcnnParamBytes, fix);
        InputLimits.CheckFileLength(binPath, InputLimits.MaxNcnnBinBytes, fix);
        byte[] weights = File.ReadAllBytes(binPath);
        return Convert(NcnnParam.Parse(text, paramPath), weights, binPath, Path.GetFileNameWithoutExtension(paramPath));
    }

    public static ModelProto Convert(IReadOnlyList<NcnnLayer> layers, byte[] weights, string binName, string modelName)
    {
        var builder = new OnnxGraphBuilder(modelName);
        var reader = new NcnnWeightReader(weights, binName);
        var values = new Dictionary<string, string>(StringComparer.Ordinal); // ncnn blob → ONNX value
        var consumed = layers.SelectMany(l => l.Inputs).ToHashSet(StringComparer.Ordinal);
        var finalBlobs = layers.SelectMany(l => l.Outputs).Where(b => !consumed.Contains(b)).ToList();
        if (finalBlobs.Count != 1)
            throw new NcnnFormatException($"'{modelName}' must have exactly one output blob; found {finalBlobs.Count} ({string.Join(", ", finalBlobs)}).");

        foreach (var layer in layers)
        {
            var inputs = layer.Inputs.Select(b => values[b]).ToArray(); // the parser checked every blob is produced earlier
            string Output(int i) => layer.Outputs[i] == finalBlobs[0] ? OutputName : builder.UniqueName(layer.Outputs[i]);
            RequireBlobCounts(layer);

            switch (layer.Type)
            {
                case "Input":
                    values[layer.Outputs[0]] = InputName;
                    builder.AddInput(InputName, OnnxDataType.Float, 1, 3, "height", "width");
                    break;
                case "Split":
                    foreach (var blob in layer.Outputs) values[blob] = inputs[0];
                    break;
                default:
                    values[layer.Outputs[0]] = ConvertLayer(builder, reader, layer, inputs, Output(0));
                    break;
            }
        }
        reader.RequireEnd();
        builder.AddOutput(OutputName, OnnxDataType.Float, 1, 3, "output_height", "output_width");
        return builder.Model;
    }

    private static void RequireBlobCounts(NcnnLayer layer)
    {
        (int inputs, int outputs) = layer.Type switch
        {
            "Input" => (0, 1),
            "Split" => (1, -1),
            "Concat" or "Eltwise" => (-1, 1),
            "BinaryOp" => (2, 1),
            _ => (1, 1),
        };
        if ((inputs >= 0 && layer.Inputs.Count != inputs) || (outputs >= 0 && layer.Outputs.Count != outputs)
            || (inputs < 0 && layer.Inputs.Count < 2) || (outputs < 0 && layer.Outputs.Count < 1))
            throw new NcnnFormatException($"{layer.Describe} has {layer.Inputs.Count} inputs and {layer.Outputs.Count} outputs, which a {layer.Type} layer cannot have.");
    }

    private static string ConvertLayer(OnnxGraphBuilder b, NcnnWeightReader reader, NcnnLayer layer, string[] inputs, string output)
    {
        switch (layer.Type)
        {
            case "Convolution":
                return Convolution(b, reader, layer, inputs[0], output);
            case "PReLU":
            {
                int count = layer.Int(0, 1);
                if (count is < 1 or > InputLimits.MaxNcnnChannels)
                    throw new NcnnFormatException($"{layer.Describe}: {count} slopes; use 1 to {InputLimits.MaxNcnnChannels} (one per channel).");
                var slopes = reader.ReadRaw(count, layer);
                string slope = b.UniqueName(layer.Name + ".slope");
                b.AddInitializer(slope, count == 1 ? new long[] { 1 } : new long[] { count, 1, 1 }, slopes);
                b.AddNode("PRelu", new[] { inputs[0], slope }, new[] { output }, layer.Name);
                return output;
            }
            case "PixelShuffle":
                if (layer.Int(0, 1) is < 1 or > InputLimits.MaxUpscaleFactor)
                    throw new NcnnFormatException($"{layer.Describe}: PixelShuffle factor {layer.Int(0, 1)}; use 1 to {InputLimits.MaxUpscaleFactor}.");
                if (layer.Int(1, 0) != 0)
                    throw new NcnnFormatException($"{layer.Describe} uses PixelShuffle mode {layer.Int(1, 0)}; only mode 0 (PyTorch's) is supported.");
                b.AddNode("DepthToSpace", inputs, new[] { output }, layer.Name,
                    OnnxAttribute.Int("blocksize", layer.Int(0, 1)), OnnxAttribute.String("mode", "CRD"));
                return output;
            case "Interp":
            {
                if (layer.Int(0, 0) != 1 || layer.Int(3, 0) != 0 || layer.Int(4, 0) != 0)
                    throw new NcnnFormatException($"{layer.Describe}: only nearest-neighbour Interp by scale factors is supported (0=1 with 1=/2= scales).");
                float[] scales = { 1, 1, layer.Float(1, 1), layer.Float(2, 1) };
                // Checked at import: a scale of 100000 would pass here and fail at the first upscale with bad_alloc.
                if (scales[2..].Any(f => !(f >= 1 && f <= InputLimits.MaxUpscaleFactor)))
                    throw new NcnnFormatException($"{layer.Describe}: Interp scales {scales[2]}×{scales[3]}; each must be from 1 to {InputLimits.MaxUpscaleFactor}.");
                string scalesName = b.UniqueName(layer.Name + ".scales");
                b.AddInitializer(scalesName, new long[] { 4 }, scales);
                // ncnn's nearest source index is floor(dst / scale): ONNX asymmetric + floor.
                b.AddNode("Resize", new[] { inputs[0], "", scalesName }, new[] { output }, layer.Name,
                    OnnxAttribute.String("mode", "nearest"), OnnxAttribute.String("coordinate_transformation_mode", "asymmetric"),
                    OnnxAttribute.String("nearest_mode", "floor"));
                return output;
            }
            case "Concat":
                b.AddNode("Concat", inputs, new[] { output }, layer.Name, OnnxAttribute.Int("axis", layer.Int(0, 0) + 1));
                return output;
            case "Eltwise":
                return Eltwise(b, layer, inputs, output);
            case "BinaryOp":
                if (layer.Int(0, 0) != 0 || layer.Int(1, 0) != 0)
                    throw new NcnnFormatException($"{layer.Describe}: only BinaryOp add of two blobs (0=0, no scalar) is supported.");
                b.AddNode("Add", inputs, new[] { output }, layer.Name);
                return output;
            default:
                throw new NcnnFormatException($"{layer.Describe}: layer type '{layer.Type}' is not supported. Supported: Input, Split, Concat, Convolution, PReLU, PixelShuffle, Interp, Eltwise, BinaryOp.");
        }
    }

    private static string Convolution(OnnxGraphBuilder b, NcnnWeightReader reader, NcnnLayer layer, string input, string output)
    {
        int outChannels = layer.Int(0, 0), kernelW = layer.Int(1, 0), kernelH = layer.Int(11, kernelW);
        int dilation = layer.Int(2, 1), stride = layer.Int(3, 1), pad = layer.Int(4, 0), weightCount = layer.Int(6, 0);
        if (outChannels is <= 0 or > InputLimits.MaxNcnnChannels || kernelW is <= 0 or > InputLimits.MaxNcnnKernel || kernelH is <= 0 or > InputLimits.MaxNcnnKernel)
            throw new NcnnFormatException($"{layer.Describe}: {outChannels} outputs with a {kernelH}×{kernelW} kernel; use 1 to {InputLimits.MaxNcnnChannels} channels and kernels up to {InputLimits.MaxNcnnKernel}.");
        if (dilation is < 1 or > InputLimits.MaxNcnnKernel || stride is < 1 or > InputLimits.MaxNcnnKernel || pad > InputLimits.MaxNcnnKernel)
            throw new NcnnFormatException($"{layer.Describe}: dilation {dilation}, stride {stride}, padding {pad}; each must be 0/1 to {InputLimits.MaxNcnnKernel}.");
        // In long: 2³⁰ channels × a 4×4 kernel is 2³⁴, which wraps to 0 in int.
        long perInput = (long)outChannels * kernelW * kernelH;
        if (weightCount <= 0 || weightCount % perInput != 0)
            throw new NcnnFormatException($"{layer.Describe}: weight count {weightCount} is not a multiple of {outChannels} outputs × {kernelH}×{kernelW} kernel.");
        if (pad < 0 || layer.Int(8, 0) != 0)
            throw new NcnnFormatException($"{layer.Describe}: automatic padding and int8 quantisation are not supported.");
        int inChannels = (int)(weightCount / perInput);

        string weight = b.UniqueName(layer.Name + ".weight");
        b.AddInitializer(weight, new long[] { outChannels, inChannels, kernelH, kernelW }, reader.ReadTagged(weightCount, layer));
        var inputs = new List<string> { input, weight };
        if (layer.Int(5, 0) != 0)
        {
            string bias = b.UniqueName(layer.Name + ".bias");
            b.AddInitializer(bias, new long[] { outChannels }, reader.ReadRaw(outChannels, layer));
            inputs.Add(bias);
        }

        int activation = layer.Int(9, 0);
        string convOutput = activation == 0 ? output : b.UniqueName(layer.Name + "_conv");
        b.AddNode("Conv", inputs, new[] { convOutput }, layer.Name,
            OnnxAttribute.Ints("kernel_shape", kernelH, kernelW), OnnxAttribute.Ints("pads", pad, pad, pad, pad),
            OnnxAttribute.Ints("strides", stride, stride), OnnxAttribute.Ints("dilations", dilation, dilation));
        switch (activation)
        {
            case 0:
                return output;
            case 1:
                b.AddNode("Relu", new[] { convOutput }, new[] { output }, layer.Name + "_relu");
                return output;
            case 2:
                var slope = layer.Floats(10);
                b.AddNode("LeakyRelu", new[] { convOutput }, new[] { output }, layer.Name + "_leakyrelu",
                    OnnxAttribute.Float("alpha", slope.Length > 0 ? slope[0] : 0f));
                return output;
            default:
                throw new NcnnFormatException($"{layer.Describe}: fused activation type {activation} is not supported (only 1 = ReLU and 2 = LeakyReLU).");
        }
    }

    private static string Eltwise(OnnxGraphBuilder b, NcnnLayer layer, string[] inputs, string output)
    {
        int op = layer.Int(0, 1);
        var coefficients = layer.Floats(1);
        if (op != 1 && coefficients.Length > 0)
            throw new NcnnFormatException($"{layer.Describe}: coefficients are only defined for Eltwise sum.");
        if (coefficients.Length > 0 && coefficients.Length != inputs.Length)
            throw new NcnnFormatException($"{layer.Describe} has {coefficients.Length} coefficients for {inputs.Length} inputs.");
        string opType = op switch
        {
            0 => "Mul",
            1 => "Add",
            2 => "Max",
            _ => throw new NcnnFormatException($"{layer.Describe}: Eltwise operation {op} is not supported (0 = product, 1 = sum, 2 = max)."),
        };
        // Σ cᵢ·xᵢ: scale each input whose coefficient is not 1, then combine pairwise.
        var terms = inputs.Select((input, i) =>
            coefficients.Length == 0 || coefficients[i] == 1f ? input
                : b.Op("Mul", $"{layer.Name}_scale{i}", new[] { input, b.FloatScalar(layer.Name + ".coefficient", coefficients[i]) })).ToList();
        string accumulated = terms[0];
        for (int i = 1; i < terms.Count; i++)
        {
            string target = i == terms.Count - 1 ? output : b.UniqueName($"{layer.Name}_partial{i}");
            b.AddNode(opType, new[] { accumulated, terms[i] }, new[] { target }, layer.Name);
            accumulated = target;
        }
        return output;
    }
}
