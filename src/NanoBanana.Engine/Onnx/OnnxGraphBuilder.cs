using System.Runtime.InteropServices;
using Google.Protobuf;
using NanoBanana.Onnx.Proto;

namespace NanoBanana.Onnx;

/// <summary>
/// Builds an ONNX model node by node. Shared by everything in the project that writes ONNX:
/// the ncnn converter, the synthetic model forge and the UNet partitioner.
/// Initializers go inline, or into an <see cref="ExternalDataWriter"/> when one is attached
/// (tensors of at least <see cref="ExternalDataThresholdBytes"/>, as torch.onnx does).
/// </summary>
public sealed class OnnxGraphBuilder
{
    public const int DefaultOpset = 17;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);

    public OnnxGraphBuilder(string graphName, int opsetVersion = DefaultOpset, string producerName = "NanoBanana")
    {
        Model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = producerName,
            ProducerVersion = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = new GraphProto { Name = graphName },
        };
        Model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opsetVersion });
    }

    public ModelProto Model { get; }

    public GraphProto Graph => Model.Graph;

    /// <summary>When set, large initializers are streamed to this file instead of being stored inline.</summary>
    public ExternalDataWriter? ExternalData { get; set; }

    public int ExternalDataThresholdBytes { get; set; } = 1024;

    /// <summary>A name not used yet in this graph: <paramref name="prefix"/>, then <c>prefix_1</c>, <c>prefix_2</c>, …</summary>
    public string UniqueName(string prefix)
    {
        if (_names.Add(prefix)) return prefix;
        _counters.TryGetValue(prefix, out int n);
        string candidate;
        do candidate = $"{prefix}_{++n}"; while (!_names.Add(candidate));
        _counters[prefix] = n;
        return candidate;
    }

    /// <summary>Declares a graph input. Each dim is a <see cref="long"/> (fixed) or a <see cref="string"/> (symbolic, e.g. "batch").</summary>
    public void AddInput(string name, OnnxDataType type, params object[] dims) =>
        Graph.Input.Add(ValueInfo(name, type, dims));

    public void AddOutput(string name, OnnxDataType type, params object[] dims) =>
        Graph.Output.Add(ValueInfo(name, type, dims));

    public static ValueInfoProto ValueInfo(string name, OnnxDataType type, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d switch
            {
                string p => new TensorShapeProto.Types.Dimension { DimParam = p },
                IConvertible c => new TensorShapeProto.Types.Dimension { DimValue = c.ToInt64(null) },
                _ => throw new ArgumentException($"Dimension '{d}' of '{name}' must be a number or a symbolic name."),
            });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    /// <summary>Adds a node and returns it. Node names default to a unique <c>/OpType</c> name.</summary>
    public NodeProto AddNode(string opType, IEnumerable<string> inputs, IEnumerable<string> outputs, string? name = null, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = UniqueName(name ?? "/" + opType) };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return node;
    }

    /// <summary>Adds a single-output node whose output is named after the node (<c>name_output_0</c>, as torch.onnx names them).</summary>
    public string Op(string opType, string name, string[] inputs, params AttributeProto[] attributes)
    {
        var node = AddNode(opType, inputs, Array.Empty<string>(), name, attributes);
        string output = UniqueName(node.Name + "_output_0");
        node.Output.Add(output);
        return output;
    }

    public void AddInitializer(string name, OnnxDataType type, IReadOnlyList<long> dims, ReadOnlySpan<byte> raw)
    {
        _names.Add(name);
        if (ExternalData is { } external && raw.Length >= ExternalDataThresholdBytes)
        {
            Graph.Initializer.Add(external.Write(name, type, dims, raw));
            return;
        }
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        tensor.Dims.AddRange(dims);
        Graph.Initializer.Add(tensor);
    }

    public void AddInitializer(string name, IReadOnlyList<long> dims, ReadOnlySpan<float> values) =>
        AddInitializer(name, OnnxDataType.Float, dims, MemoryMarshal.AsBytes(values));

    public void AddInitializer(string name, IReadOnlyList<long> dims, ReadOnlySpan<long> values) =>
        AddInitializer(name, OnnxDataType.Int64, dims, MemoryMarshal.AsBytes(values));

    public void AddInitializer(string name, IReadOnlyList<long> dims, ReadOnlySpan<Half> values) =>
        AddInitializer(name, OnnxDataType.Float16, dims, MemoryMarshal.AsBytes(values));

    /// <summary>A 1-D int64 constant initializer (shapes, axes), named uniquely; returns its name.</summary>
    public string Int64Constant(string prefix, params long[] values)
    {
        string name = UniqueName(prefix);
        AddInitializer(name, new long[] { values.Length }, values);
        return name;
    }

    /// <summary>A float scalar constant initializer; returns its name.</summary>
    public string FloatScalar(string prefix, float value)
    {
        string name = UniqueName(prefix);
        AddInitializer(name, Array.Empty<long>(), new[] { value });
        return name;
    }

    /// <summary>Writes the model file. External data, if any, must already be flushed by its writer.</summary>
    public void Save(string path) => OnnxModelFile.Save(Model, path);
}
