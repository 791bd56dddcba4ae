using NanoBanana.Onnx.Proto;

namespace NanoBanana.Onnx;

/// <summary>Structural queries over a graph: who produces and who consumes each value, and a topological order.</summary>
public sealed class OnnxGraph
{
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> _consumers = new(StringComparer.Ordinal);

    public OnnxGraph(GraphProto graph)
    {
        Proto = graph;
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
