using NanoBanana.Onnx.Proto;

namespace NanoBanana.Onnx;

/// <summary>Removes the nodes a rewrite left without consumers, repeatedly, so chains feeding only them go too.</summary>
public static class UnusedNodes
{
    /// <param name="removable">Which unconsumed nodes may go (a rewrite that knows what it orphaned says so).</param>
    public static void Remove(List<NodeProto> nodes, GraphProto graph, Func<NodeProto, bool> removable)
    {
        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        for (bool removed = true; removed;)
        {
            var consumed = nodes.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
            removed = nodes.RemoveAll(n => removable(n) && n.Output.All(o => !consumed.Contains(o) && !outputs.Contains(o))) > 0;
        }
    }
}
