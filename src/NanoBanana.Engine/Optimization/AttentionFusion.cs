using NanoBanana.Models;
using NanoBanana.Onnx;
using NanoBanana.Onnx.Proto;

namespace NanoBanana.Optimization;

/// <summary>
/// Rewrites each scaled dot-product attention of a graph — <c>Softmax(scale · Q·Kᵀ) · V</c> — into ONNX Runtime's
/// <c>com.microsoft.MultiHeadAttention</c>, whose kernels never hold the tokens × tokens score matrix: the CPU
/// provider runs MLAS's tiled flash attention (fp32), CUDA its flash / memory-efficient kernels. Unfused, a 1024²
/// SDXL render keeps three such matrices per head at its first attention level (2 GB), and the VAE decoder's
/// single-head attention over 128² latents 2 GB more.
/// </summary>
/// <remarks>
/// Matched as the exporters write it: torch 1.x (diffusers' <c>baddbmm</c> path, what Optimum exports here) gives
/// 3-D [batch·heads, tokens, head size] products, <c>Add(Mul(MatMul(q, Kᵀ), scale), Mul(empty, 0))</c>, Casts around
/// the Softmax; torch 2 (scaled_dot_product_attention) and the synthetic models give 4-D [batch, heads, tokens, head
/// size] products, scaled after the MatMul or with √scale folded into q and Kᵀ (then the scale here is 1). Each match
/// becomes one single-head MultiHeadAttention over [batch·heads, tokens, head size] — 4-D operands are reshaped to
/// that and back — with Kᵀ's Transpose undone. Attention with a mask (CLIP's causal mask) is not matched and stays.
/// </remarks>
public static class AttentionFusion
{
    public const string OpType = ContribOps.MultiHeadAttention;

    /// <summary>Fuses every matching attention of <paramref name="model"/>'s graph in place; returns how many.</summary>
    public static int Fuse(ModelProto model)
    {
        var graph = model.Graph;
        var queries = new OnnxGraph(graph);
        var matches = queries.Proto.Node.Where(n => n.OpType == "Softmax").Select(s => Match(queries, s)).OfType<Attention>().ToList();
        if (matches.Count == 0) return 0;
        var emitter = new Emitter(queries);
        var replaced = new Dictionary<NodeProto, List<NodeProto>>(ReferenceEqualityComparer.Instance);
        foreach (var match in matches) replaced[match.Output] = emitter.Replace(match);
        var nodes = graph.Node.SelectMany(n => replaced.TryGetValue(n, out var with) ? with : [n]).ToList();
        // The replaced products, scales, Softmax and Kᵀ Transposes, and torch 1.x's zero branch, are left unconsumed.
        UnusedNodes.Remove(nodes, graph, _ => true);
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        ContribOps.Import(model);
        return matches.Count;
    }

    /// <summary>One attention: its operands, the scale and the MatMul whose output the fused node takes over.</summary>
    sealed record Attention(string Query, string KeyTransposed, string Value, float Scale, int Rank, NodeProto Output);

    static Attention? Match(OnnxGraph graph, NodeProto softmax)
    {
        // Softmax over the last axis, reached through Casts only (torch 1.x upcasts around it).
        long axis = softmax.Attribute.FirstOrDefault(a => a.Name == "axis")?.I ?? -1;
        var scores = SkipCasts(graph, softmax.Input[0]);
        var (product, scale) = Scaled(graph, scores);
        if (product is not { OpType: "MatMul" } || graph.Consumers(product.Output[0]).Count != 1) return null;
        int rank = graph.Shape(product.Input[0])?.Length ?? RankFromTranspose(graph, product.Input[1]);
        if (rank is not (3 or 4) || (axis != -1 && axis != rank - 1)) return null;
        var probabilities = SingleConsumerThroughCasts(graph, softmax.Output[0]);
        if (probabilities is not { OpType: "MatMul" } mixing || mixing.Input[1] == softmax.Output[0]) return null;
        return new Attention(product.Input[0], product.Input[1], mixing.Input[1], scale, rank, mixing);
    }

    /// <summary>The MatMul under a constant scale: <c>Mul(·, c)</c>, <c>Div(·, c)</c>, and torch 1.x's
    /// <c>Add(·, Mul(empty, 0))</c> around it; scale 1 when the product is the scores themselves.</summary>
    static (NodeProto? Product, float Scale) Scaled(OnnxGraph graph, NodeProto? node)
    {
        if (node is { OpType: "Add" } add && add.Input.Count == 2)
        {
            // baddbmm(empty, q, kᵀ, beta=0, alpha=scale): one side must be exactly zero, or this is a mask.
            int zero = Array.FindIndex(add.Input.ToArray(), i => graph.Producer(i) is { OpType: "Mul" } m && m.Input.Any(x => Constant(graph, x) == 0f));
            if (zero < 0) return (null, 0);
            node = graph.Producer(add.Input[1 - zero]);
        }
        if (node is { OpType: "Mul" or "Div" } scaling && scaling.Input.Count == 2)
        {
            int constant = Constant(graph, scaling.Input[1]) is not null ? 1 : scaling.OpType == "Mul" && Constant(graph, scaling.Input[0]) is not null ? 0 : -1;
            if (constant < 0 || Constant(graph, scaling.Input[constant]) is not float c || c == 0) return (null, 0);
            var product = graph.Producer(scaling.Input[1 - constant]);
            return product is null || graph.Consumers(product.Output[0]).Count != 1 ? (null, 0) : (product, scaling.OpType == "Mul" ? c : 1 / c);
        }
        return (node, 1f);
    }

    static NodeProto? SkipCasts(OnnxGraph graph, string value)
    {
        var node = graph.Producer(value);
        while (node is { OpType: "Cast" }) node = graph.Producer(node.Input[0]);
        return node;
    }

    static NodeProto? SingleConsumerThroughCasts(OnnxGraph graph, string value)
    {
        while (true)
        {
            if (graph.Consumers(value) is not [var next]) return null;
            if (next.OpType != "Cast") return next;
            value = next.Output[0];
        }
    }

    /// <summary>Kᵀ's rank when only its Transpose says it (exports rarely declare intermediate shapes), looking past
    /// torch 2's √scale Mul.</summary>
    static int RankFromTranspose(OnnxGraph graph, string keyTransposed)
    {
        var node = graph.Producer(keyTransposed);
        while (node is { OpType: "Mul" or "Div" or "Cast" }) node = graph.Producer(node.Input[0]);
        return node is { OpType: "Transpose" } && node.Attribute.FirstOrDefault(a => a.Name == "perm") is { } perm ? perm.Ints.Count : 0;
    }

    /// <summary>A scalar float constant (initializer or Constant node, float or float16), else null.</summary>
    static float? Constant(OnnxGraph graph, string value)
    {
        var tensor = graph.Initializer(value) ?? (graph.Producer(value) is { OpType: "Constant" } c ? c.Attribute.FirstOrDefault(a => a.Name == "value")?.T : null);
        if (tensor is null || tensor.Dims.Aggregate(1L, (a, b) => a * b) != 1 || tensor.DataLocation == TensorProto.Types.DataLocation.External) return null;
        return (OnnxDataType)tensor.DataType switch
        {
            OnnxDataType.Float => tensor.FloatData.Count == 1 ? tensor.FloatData[0] : tensor.RawData.Length == 4 ? BitConverter.ToSingle(tensor.RawData.Span) : null,
            OnnxDataType.Float16 => tensor.RawData.Length == 2 ? (float)BitConverter.ToHalf(tensor.RawData.Span)
                : tensor.Int32Data.Count == 1 ? (float)BitConverter.UInt16BitsToHalf((ushort)tensor.Int32Data[0]) : null,
            _ => null,
        };
    }

    /// <summary>Writes the replacement nodes, named after the MatMul they replace.</summary>
    sealed class Emitter(OnnxGraph graph)
    {
        public List<NodeProto> Replace(Attention match)
        {
            var nodes = new List<NodeProto>();
            string prefix = match.Output.Name.Length > 0 ? match.Output.Name : match.Output.Output[0];
            string Node(string op, string suffix, string[] inputs, params AttributeProto[] attributes)
            {
                var node = new NodeProto { OpType = op, Name = $"{prefix}/fused/{suffix}" };
                node.Input.AddRange(inputs);
                node.Output.Add(node.Name);
                node.Attribute.AddRange(attributes);
                nodes.Add(node);
                return node.Output[0];
            }
            string Ints(string suffix, params long[] values)
            {
                var tensor = new TensorProto { DataType = (int)OnnxDataType.Int64, Dims = { values.Length } };
                tensor.Int64Data.AddRange(values);
                return Node("Constant", suffix, [], OnnxAttribute.Tensor("value", tensor));
            }
            // [.., tokens, size] as [batch·heads, tokens, size]: 4-D operands lose their head axis to the batch.
            string Flatten(string value, string suffix)
            {
                if (match.Rank == 3) return value;
                string tail = Node("Slice", suffix + "/tail", [Node("Shape", suffix + "/dims", [value]), Ints(suffix + "/from", -2), Ints(suffix + "/to", long.MaxValue)]);
                return Node("Reshape", suffix, [value, Node("Concat", suffix + "/shape", [Ints(suffix + "/all", -1), tail], OnnxAttribute.Int("axis", 0))]);
            }

            string key = Untransposed(match.KeyTransposed, match.Rank, Node);
            string fused = Node(OpType, "attention", [Flatten(match.Query, "query"), Flatten(key, "key"), Flatten(match.Value, "value")],
                OnnxAttribute.Int("num_heads", 1), OnnxAttribute.Float("scale", match.Scale));
            var attention = nodes[^1];
            attention.Domain = ContribOps.Domain;
            string output = match.Output.Output[0];
            if (match.Rank == 3)
            {
                attention.Output[0] = output;
                return nodes;
            }
            // Back to [batch, heads, tokens, size]: the query's leading two dimensions, the attention's last two.
            string shape = Node("Concat", "output/shape", [
                Node("Slice", "output/heads", [Node("Shape", "output/query", [match.Query]), Ints("output/from", 0), Ints("output/to", 2)]),
                Node("Slice", "output/tail", [Node("Shape", "output/dims", [fused]), Ints("output/tail-from", 1), Ints("output/tail-to", 3)])],
                OnnxAttribute.Int("axis", 0));
            Node("Reshape", "output", [fused, shape]);
            nodes[^1].Output[0] = output;
            return nodes;
        }

        /// <summary>K from Kᵀ: the Transpose that made Kᵀ, with its last two axes swapped back (nothing when that
        /// leaves the identity), or a new swap when Kᵀ came from elsewhere.</summary>
        string Untransposed(string keyTransposed, int rank, Func<string, string, string[], AttributeProto[], string> node)
        {
            long[] swap = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
            (swap[^1], swap[^2]) = (swap[^2], swap[^1]);
            if (graph.Producer(keyTransposed) is { OpType: "Transpose" } transpose && transpose.Attribute.FirstOrDefault(a => a.Name == "perm") is { } perm && perm.Ints.Count == rank)
            {
                long[] undone = swap.Select(i => perm.Ints[(int)i]).ToArray();
                return undone.Select((p, i) => p == i).All(x => x) ? transpose.Input[0]
                    : node("Transpose", "key/untransposed", [transpose.Input[0]], [OnnxAttribute.Ints("perm", undone)]);
            }
            return node("Transpose", "key/untransposed", [keyTransposed], [OnnxAttribute.Ints("perm", swap)]);
        }
    }
}
