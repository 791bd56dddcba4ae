using NanoBanana.Onnx.Proto;

namespace NanoBanana.Onnx;

/// <summary>
/// Structural queries over a graph: who produces and who consumes each value, a topological order,
/// initializers by name, the weight behind a layer, and value shapes where the file declares them.
/// </summary>
public sealed class OnnxGraph
{
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> _consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> _initializers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ValueInfoProto> _valueInfos = new(StringComparer.Ordinal);

    public OnnxGraph(GraphProto graph)
    {
        Proto = graph;
        foreach (var tensor in graph.Initializer) _initializers[tensor.Name] = tensor;
        foreach (var info in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo)) _valueInfos.TryAdd(info.Name, info);
        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output.Where(o => o.Length > 0)) _producers[output] = node;
            foreach (var input in node.Input.Where(i => i.Length > 0))
            {
                if (!_consumers.TryGetValue(input, out var list)) _consumers[input] = list = new List<NodeProto>();
                list.Add(node);
            }
        }
    }

    public GraphProto Proto { get; }

    /// <summary>The node that computes <paramref name="value"/>, or null for graph inputs and initializers.</summary>
    public NodeProto? Producer(string value) => _producers.GetValueOrDefault(value);

    public IReadOnlyList<NodeProto> Consumers(string value) =>
        _consumers.TryGetValue(value, out var list) ? list : Array.Empty<NodeProto>();

    public TensorProto? Initializer(string name) => _initializers.GetValueOrDefault(name);

    /// <summary>
    /// Follows a layer's weight input (input 1 of MatMul, Gemm or Conv) back through Transpose and Cast
    /// nodes to its initializer — named (<c>….to_q.weight</c>) or anonymous (<c>onnx::MatMul_1234</c>).
    /// Null when the input is an activation (e.g. attention scores): that layer has no weight.
    /// </summary>
    public WeightTrace? TraceWeight(NodeProto layer)
    {
        if (layer.Input.Count < 2) return null;
        string name = layer.Input[1];
        bool transposed = layer.OpType == "Gemm" && layer.Attribute.Any(a => a.Name == "transB" && a.I != 0);
        int? computeType = null;
        while (!_initializers.ContainsKey(name) && Producer(name) is { OpType: "Transpose" or "Cast" } producer && producer.Input.Count > 0)
        {
            if (producer.OpType == "Transpose") transposed = !transposed;
            else computeType ??= (int?)producer.Attribute.FirstOrDefault(a => a.Name == "to")?.I;
            name = producer.Input[0];
        }
        return _initializers.TryGetValue(name, out var weight) ? new WeightTrace(weight, transposed, computeType) : null;
    }

    /// <summary>A value's declared shape (initializer dims, or a graph input/output/value_info), -1 for symbolic
    /// dimensions; null when the file does not say.</summary>
    public long[]? Shape(string value)
    {
        if (_initializers.TryGetValue(value, out var tensor)) return tensor.Dims.ToArray();
        if (!_valueInfos.TryGetValue(value, out var info) || info.Type?.TensorType?.Shape is not { } shape) return null;
        return shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : -1L).ToArray();
    }

    private Dictionary<string, int>? _elementTypes;

    /// <summary>
    /// A value's element type (<see cref="OnnxDataType"/> as int): declared where the file says, otherwise
    /// propagated from the inputs along the graph (Cast's target, int64 for Shape/ArgMax, the data type for
    /// Gather, else the first typed input). Exports rarely declare intermediates, and a cut needs them.
    /// </summary>
    public int ElementType(string value)
    {
        if (_elementTypes is null)
        {
            var types = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (name, tensor) in _initializers) types[name] = tensor.DataType;
            foreach (var (name, info) in _valueInfos)
                if (info.Type?.TensorType is { ElemType: > 0 } tensorType) types[name] = tensorType.ElemType;
            foreach (var node in TopologicalOrder())
            {
                int inferred = node.OpType switch
                {
                    "Cast" => (int)(node.Attribute.FirstOrDefault(a => a.Name == "to")?.I ?? 0),
                    "Shape" or "ArgMax" or "ArgMin" or "NonZero" or "Size" => (int)OnnxDataType.Int64,
                    "Equal" or "Less" or "Greater" or "Not" or "And" or "Or" or "IsNaN" => (int)OnnxDataType.Bool,
                    "Constant" => node.Attribute.FirstOrDefault(a => a.Name == "value")?.T?.DataType ?? 0,
                    _ => node.Input.Where(i => i.Length > 0).Select(i => types.GetValueOrDefault(i)).FirstOrDefault(t => t > 0),
                };
                foreach (var output in node.Output.Where(o => o.Length > 0)) types.TryAdd(output, inferred);
            }
            _elementTypes = types;
        }
        return _elementTypes.GetValueOrDefault(value);
    }

    /// <summary>The nodes in an order where every node comes after the producers of its inputs (Kahn's algorithm, stable).</summary>
    public IReadOnlyList<NodeProto> TopologicalOrder()
    {
        var pending = Proto.Node.ToDictionary(n => n, n => n.Input.Count(i => i.Length > 0 && _producers.ContainsKey(i)));
        var ready = new Queue<NodeProto>(Proto.Node.Where(n => pending[n] == 0));
        var order = new List<NodeProto>(Proto.Node.Count);
        while (ready.Count > 0)
        {
            var node = ready.Dequeue();
            order.Add(node);
            foreach (var output in node.Output)
                foreach (var consumer in Consumers(output))
                    if (--pending[consumer] == 0) ready.Enqueue(consumer);
        }
        if (order.Count != Proto.Node.Count)
        {
            var stuck = Proto.Node.First(n => pending[n] > 0);
            throw new InvalidDataException($"The graph '{Proto.Name}' has a cycle through node '{stuck.Name}' ({stuck.OpType}).");
        }
        return order;
    }
}
