using NanoBanana.Onnx.Proto;

namespace NanoBanana.Imaging.Upscaling;

/// <summary>
/// How far, in input pixels, an output pixel of an upscaling graph can see, and the graph's scale factor,
/// computed by walking the ONNX graph: a k×k convolution with dilation d at resolution s (relative to the
/// input) widens the field by ((k−1)/2)·d / s input pixels; nearest Resize and DepthToSpace change the
/// resolution without widening it; element-wise ops and Concat take the widest of their inputs.
/// A tile given this much context on every side (clipped at the image edge, where the model's own zero
/// padding applies as it does untiled) computes the same output as the whole image.
/// </summary>
public sealed record ReceptiveField(int Radius, int Scale)
{
    private static readonly HashSet<string> Pointwise = new(StringComparer.Ordinal)
    {
        "Add", "Mul", "Sub", "Div", "Max", "Min", "Sum", "PRelu", "LeakyRelu", "Relu", "Sigmoid", "Concat", "Identity", "Clip",
    };

    /// <summary>The field of <paramref name="model"/>'s output; a graph this analysis cannot follow (a missing
    /// attribute or initializer, an unknown operator, a scale out of range) is an <see cref="InvalidDataException"/>.</summary>
    public static ReceptiveField Of(ModelProto model, string inputName)
    {
        ReceptiveField field;
        try
        {
            field = Walk(model, inputName);
        }
        catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or IndexOutOfRangeException or ArgumentException or OverflowException)
        {
            throw new InvalidDataException($"'{model.Graph.Name}' is not an upscaling graph this module can tile ({e.Message}). Import the model again from its ncnn files.", e);
        }
        if (field.Scale is < 1 or > Limits.InputLimits.MaxUpscaleFactor || field.Radius is < 0 or > 4096)
            throw new InvalidDataException($"'{model.Graph.Name}' scales by {field.Scale} with a reach of {field.Radius} pixels; an upscaler must scale by 1 to {Limits.InputLimits.MaxUpscaleFactor} and reach at most 4096 pixels.");
        return field;
    }

    private static ReceptiveField Walk(ModelProto model, string inputName)
    {
        var initializers = model.Graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var fields = new Dictionary<string, (double Radius, double Scale)>(StringComparer.Ordinal) { [inputName] = (0, 1) };
        foreach (var node in model.Graph.Node)
        {
            var inputs = node.Input.Where(fields.ContainsKey).Select(i => fields[i]).ToList();
            if (inputs.Count == 0) continue; // constants only
            double radius = inputs.Max(f => f.Radius);
            double scale = inputs[0].Scale;
            if (inputs.Any(f => Math.Abs(f.Scale - scale) > 1e-9))
                throw new InvalidDataException($"Node '{node.Name}' ({node.OpType}) combines tensors at different resolutions.");
            (radius, scale) = node.OpType switch
            {
                "Conv" => (radius + ConvReach(node) / scale, scale / Attribute(node, "strides", 1)),
                "Resize" => (radius, scale * ResizeFactor(node, initializers)),
                "DepthToSpace" => (radius, scale * node.Attribute.Single(a => a.Name == "blocksize").I),
                _ when Pointwise.Contains(node.OpType) => (radius, scale),
                _ => throw new InvalidDataException($"Node '{node.Name}': {node.OpType} is not an operator whose reach is known to this analysis."),
            };
            foreach (var output in node.Output) fields[output] = (radius, scale);
        }
        var outputField = fields[model.Graph.Output.Single().Name];
        if (!(outputField.Radius < int.MaxValue && outputField.Scale < int.MaxValue))
            throw new InvalidDataException($"'{model.Graph.Name}' has a reach or scale too large to represent.");
        return new ReceptiveField((int)Math.Ceiling(outputField.Radius - 1e-9), (int)Math.Round(outputField.Scale));
    }

    private static double ConvReach(NodeProto node)
    {
        var kernel = node.Attribute.Single(a => a.Name == "kernel_shape").Ints;
        long dilation = Attribute(node, "dilations", 1);
        return (kernel.Max() - 1) / 2.0 * dilation;
    }

    private static long Attribute(NodeProto node, string name, long fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { Ints.Count: > 0 } a ? a.Ints.Max() : fallback;

    private static double ResizeFactor(NodeProto node, IReadOnlyDictionary<string, TensorProto> initializers)
    {
        var scales = initializers[node.Input[2]];
        var values = scales.FloatData.Count > 0 ? scales.FloatData.ToArray()
            : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(scales.RawData.Span).ToArray();
        if (values[2] != values[3]) throw new InvalidDataException($"Node '{node.Name}' scales height and width differently.");
        return values[3];
    }
}
