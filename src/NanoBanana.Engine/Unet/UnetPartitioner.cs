using NanoBanana.Onnx;
using NanoBanana.Onnx.Proto;

namespace NanoBanana.Unet;

/// <summary>
/// Cuts a UNet into segments for streaming: the nodes, in the file's (topological) order, are grouped into
/// modules by their torch.onnx scope (<c>/down_blocks.1/attentions.0/…</c> → <c>down_blocks.1/attentions.0</c>;
/// a module heavier than the budget is split one scope deeper, e.g. into its transformer blocks), and modules are
/// packed greedily into segments whose weights stay under <c>maxSegmentBytes</c>. Cuts therefore fall on module
/// boundaries, where only the block's output, the skip connections and the embeddings are live.
/// </summary>
public static class UnetPartitioner
{
    const int MaxScopeDepth = 4;

    /// <summary>Nodes grouped under one module scope, with the bytes of the initializers they read.</summary>
    sealed record Module(string Scope, List<NodeProto> Nodes, long WeightBytes);

    /// <summary>The whole UNet as one segment (the Full memory mode); its graph is read again when a session is built.</summary>
    public static UnetSegment Whole(string unetPath, string key)
    {
        var unet = OnnxModel.Load(unetPath);
        return new(key, 0, "(all)", "(all)", () => OnnxModel.Load(unetPath).Proto, unet.Initializers.Sum(i => i.ByteLength),
            unet.Proto.Graph.Input.Where(i => !unet.HasInitializer(i.Name)).Select(i => i.Name).ToArray(),
            unet.Proto.Graph.Output.Select(o => o.Name).ToArray());
    }

    public static IReadOnlyList<UnetSegment> Partition(OnnxModel unet, long maxSegmentBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSegmentBytes);
        var graph = unet.Proto.Graph;
        var bytes = unet.Initializers.ToDictionary(i => i.Name, i => i.ByteLength, StringComparer.Ordinal);
        var order = IsTopological(graph) ? graph.Node.ToList() : unet.Graph.TopologicalOrder().ToList();
        var modules = Split(order, 2, maxSegmentBytes, bytes);

        var groups = new List<List<Module>>();
        long current = 0;
        foreach (var module in modules)
        {
            if (groups.Count == 0 || (current > 0 && current + module.WeightBytes > maxSegmentBytes))
            {
                groups.Add([]);
                current = 0;
            }
            groups[^1].Add(module);
            current += module.WeightBytes;
        }

        var segments = new List<UnetSegment>(groups.Count);
        foreach (var group in groups)
        {
            int index = segments.Count;
            var nodes = group.SelectMany(m => m.Nodes).ToList();
            var model = OnnxSubgraph.Extract(unet.Proto, nodes, $"{graph.Name}_segment_{index:D2}");
            long weightBytes = model.Graph.Initializer.Sum(t => bytes.GetValueOrDefault(t.Name));
            segments.Add(new UnetSegment($"unet/segment-{index:D2}", index, group[0].Scope, group[^1].Scope, () => model, weightBytes,
                model.Graph.Input.Select(i => i.Name).ToArray(), model.Graph.Output.Select(o => o.Name).ToArray()));
        }
        return segments;
    }

    /// <summary>Contiguous runs of nodes sharing a scope prefix of <paramref name="depth"/> levels; a run heavier than
    /// the budget is split one level deeper.</summary>
    static List<Module> Split(IReadOnlyList<NodeProto> nodes, int depth, long maxBytes, Dictionary<string, long> bytes)
    {
        var modules = new List<Module>();
        foreach (var run in Runs(nodes, depth))
        {
            long weight = WeightBytes(run.Nodes, bytes);
            if (weight > maxBytes && depth < MaxScopeDepth && Runs(run.Nodes, depth + 1).Count() > 1)
                modules.AddRange(Split(run.Nodes, depth + 1, maxBytes, bytes));
            else modules.Add(run with { WeightBytes = weight });
        }
        return modules;
    }

    static IEnumerable<Module> Runs(IReadOnlyList<NodeProto> nodes, int depth)
    {
        Module? run = null;
        foreach (var node in nodes)
        {
            string scope = Scope(node.Name, depth);
            // Unscoped nodes (the root's Add/Concat of the embeddings) join the module they sit in.
            if (run is not null && (scope == run.Scope || scope.Length == 0)) { run.Nodes.Add(node); continue; }
            if (run is not null) yield return run;
            run = new Module(scope.Length == 0 ? "(root)" : scope, [node], 0);
        }
        if (run is not null) yield return run;
    }

    /// <summary>"/down_blocks.1/attentions.0/transformer_blocks.0/attn1/to_q/MatMul" at depth 2 → "down_blocks.1/attentions.0".</summary>
    static string Scope(string nodeName, int depth)
    {
        var parts = nodeName.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length <= 1 ? "" : string.Join('/', parts[..Math.Min(depth, parts.Length - 1)]);
    }

    static long WeightBytes(IEnumerable<NodeProto> nodes, Dictionary<string, long> bytes) =>
        nodes.SelectMany(n => n.Input).Distinct(StringComparer.Ordinal).Sum(i => bytes.GetValueOrDefault(i));

    static bool IsTopological(GraphProto graph)
    {
        var available = new HashSet<string>(graph.Input.Select(i => i.Name).Concat(graph.Initializer.Select(i => i.Name)), StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            if (node.Input.Any(i => i.Length > 0 && !available.Contains(i))) return false;
            available.UnionWith(node.Output);
        }
        return true;
    }
}
