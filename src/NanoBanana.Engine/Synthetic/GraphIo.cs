using NanoBanana.Onnx;

namespace NanoBanana.Synthetic;

/// <summary>
/// A component's graph inputs and outputs in the export's dtypes: float tensors in the model's precision
/// (fp16 exports take and return fp16, cast at the boundary to the fp32 compute), token ids as int64
/// (int32 in legacy exports), the timestep as a float scalar (int64 [batch] in legacy exports).
/// </summary>
internal sealed class GraphIo(OnnxGraphBuilder graph, ModelPrecision precision, bool legacy)
{
    OnnxDataType FloatType => precision == ModelPrecision.Float16 ? OnnxDataType.Float16 : OnnxDataType.Float;

    public string FloatInput(string name, params object[] dims)
    {
        graph.AddInput(name, FloatType, dims);
        return precision == ModelPrecision.Float16
            ? graph.Op("Cast", $"/{name}/Cast", [name], OnnxAttribute.Int("to", (long)OnnxDataType.Float))
            : name;
    }

    public string TimestepInput()
    {
        if (legacy) graph.AddInput("timestep", OnnxDataType.Int64, "batch");
        else graph.AddInput("timestep", FloatType);
        return "timestep";
    }

    public string TokenIdsInput()
    {
        graph.AddInput("input_ids", legacy ? OnnxDataType.Int32 : OnnxDataType.Int64, "batch", ClipTextConfig.MaxPositions);
        return "input_ids";
    }

    public void FloatOutput(string value, string name, params object[] dims)
    {
        if (precision == ModelPrecision.Float16)
            graph.AddNode("Cast", [value], [name], $"/{name}/Cast", OnnxAttribute.Int("to", (long)OnnxDataType.Float16));
        else graph.AddNode("Identity", [value], [name], $"/{name}/Identity");
        graph.AddOutput(name, FloatType, dims);
    }
}
