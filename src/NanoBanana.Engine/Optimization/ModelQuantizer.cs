using NanoBanana.Models;
using NanoBanana.Onnx;
using NanoBanana.Onnx.Proto;

namespace NanoBanana.Optimization;

/// <summary>One weight the quantiser replaced: its [N, K] layout, how it is stored in the source, and the block.</summary>
public sealed record QuantizedWeight(int N, int K, bool StoredOutIn, OnnxDataType ScaleType, int Block, WeightBits Bits);

/// <summary>A component graph with its linear layers rewritten: the weights to write as codes and scales, and the
/// layers left as they were (with why).</summary>
public sealed record QuantizedGraph(int Layers, IReadOnlyDictionary<string, QuantizedWeight> Weights, IReadOnlyList<string> Kept);

/// <summary>
/// Rewrites a component's MatMul/Gemm layers with a weight into ONNX Runtime's <c>com.microsoft.MatMulNBits</c>
/// (weight-only, block-wise, <see cref="BlockQuantizer"/>): the weights shrink 4–8× against fp32, activations stay
/// float, and with <see cref="AccuracyLevel"/> 4 ONNX Runtime may compute in int8 where the CPU has int8 arithmetic.
/// Convolutions are kept. The layer keeps its node name and its weight's name (the name now holds the codes), so
/// LoRA keys still find it. Writing the codes is <see cref="ModelOptimizer"/>'s.
/// </summary>
public static class ModelQuantizer
{
    public const string OpType = "MatMulNBits";

    /// <summary>Lets ONNX Runtime quantise activations to int8 per block and use integer dot products (VNNI/AVX512).</summary>
    public const int AccuracyLevel = 4;

    /// <summary>The components whose linear layers are quantised; the VAE is all convolutions and stays.</summary>
    public static readonly IReadOnlyList<string> Components = [DiffusionModel.Unet, DiffusionModel.TextEncoder, DiffusionModel.TextEncoder2];

    /// <summary>The default block: 128 codes per scale for int8 (scales cost 3 %), 32 for int4 (its error needs small blocks).</summary>
    public static int DefaultBlockSize(WeightBits bits) => bits == WeightBits.Int8 ? 128 : 32;

    /// <exception cref="ArgumentOutOfRangeException">Bits other than 8 or 4, or a block MatMulNBits cannot take.</exception>
    public static void Validate(WeightBits bits, int block)
    {
        if (block < 16 || (block & (block - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(block), block, $"-BlockSize {block} is not possible: ONNX Runtime's MatMulNBits needs a power of two from 16 up (32 or 128 are usual).");
        if (!Enum.IsDefined(bits)) throw new ArgumentOutOfRangeException(nameof(bits), bits, "-Quantize takes Int8 or Int4.");
    }

    /// <summary>Rewrites <paramref name="model"/>'s linear layers in place (<paramref name="model"/> is the copy being
    /// written); <paramref name="source"/> names the file in messages.</summary>
    public static QuantizedGraph Quantize(string component, ModelProto model, string source, WeightBits bits, int block)
    {
        Validate(bits, block);
        var graph = model.Graph;
        if (graph.Node.Any(n => n.OpType == OpType))
            throw new InvalidDataException($"'{source}' is already quantised: it has {OpType} layers. Quantise the original fp32/fp16 model instead.");
        var queries = new OnnxGraph(graph);
        var nodes = new List<NodeProto>();
        var quantized = new Dictionary<string, QuantizedWeight>(StringComparer.Ordinal);
        var kept = new List<string>();
        var uses = graph.Node.SelectMany(n => n.Input).GroupBy(i => i, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var layersPerWeight = graph.Node.Where(n => n.OpType is "MatMul" or "Gemm").Select(queries.TraceWeight).OfType<WeightTrace>()
            .GroupBy(t => t.Weight.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        // The model is already the copy being written: nodes are replaced, not edited, so none needs cloning.
        foreach (var node in graph.Node)
        {
            if (node.OpType is not ("MatMul" or "Gemm") || queries.TraceWeight(node) is not { Weight.Dims.Count: 2 } trace)
            {
                nodes.Add(node);
                continue;
            }
            string layer = node.Name.Length > 0 ? node.Name : trace.Weight.Name;
            if (trace.Weight.DataType is not ((int)OnnxDataType.Float or (int)OnnxDataType.Float16))
                throw new NotSupportedException($"{component}: layer '{layer}' has a {(OnnxDataType)trace.Weight.DataType} weight '{trace.Weight.Name}'; only float and float16 weights can be quantised. Export the model in fp32 or fp16.");
            if (node.OpType == "Gemm" && node.Attribute.Any(a => (a.Name == "transA" && a.I != 0) || (a.Name is "alpha" or "beta" && a.F != 1f)))
                throw new NotSupportedException($"{component}: layer '{layer}' is a Gemm with transA or alpha/beta other than 1, which MatMulNBits cannot express. Re-export the model with plain linear layers.");
            if (uses.GetValueOrDefault(trace.Weight.Name) > 1 || layersPerWeight[trace.Weight.Name] > 1)
            {
                kept.Add($"{layer} (its weight is shared)");
                nodes.Add(node);
                continue;
            }
            long[] dims = trace.Weight.Dims.ToArray();
            // Transposed: the initializer is [out, in] (N, K), as MatMulNBits stores it; else [in, out].
            int n = (int)(trace.Transposed ? dims[0] : dims[1]), k = (int)(trace.Transposed ? dims[1] : dims[0]);
            // Scales in the layer's compute type, the activations' (a Cast after fp16 weights computes in fp32).
            var scaleType = queries.ElementType(node.Input[0]) == (int)OnnxDataType.Float16 ? OnnxDataType.Float16 : OnnxDataType.Float;
            // A layer narrower than the block gets a block just covering it, so padding codes do not outweigh the weights.
            int layerBlock = Math.Min(block, Math.Max(16, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)k)));
            quantized[trace.Weight.Name] = new QuantizedWeight(n, k, trace.Transposed, scaleType, layerBlock, bits);
            string scales = trace.Weight.Name + "_scales", output = node.Output[0];
            bool bias = node.OpType == "Gemm" && node.Input.Count > 2 && node.Input[2].Length > 0;
            var replacement = new NodeProto { OpType = OpType, Domain = ContribOps.Domain, Name = node.Name };
            replacement.Input.AddRange([node.Input[0], trace.Weight.Name, scales]);
            replacement.Output.Add(bias ? output + "/matmul" : output);
            replacement.Attribute.AddRange([OnnxAttribute.Int("K", k), OnnxAttribute.Int("N", n), OnnxAttribute.Int("bits", (int)bits),
                OnnxAttribute.Int("block_size", layerBlock), OnnxAttribute.Int("accuracy_level", AccuracyLevel)]);
            nodes.Add(replacement);
            if (bias)
            {
                var add = new NodeProto { OpType = "Add", Name = node.Name + "/bias" };
                add.Input.AddRange([replacement.Output[0], node.Input[2]]);
                add.Output.Add(output);
                nodes.Add(add);
            }
        }
        if (quantized.Count == 0)
            throw new InvalidDataException($"{component} of '{source}' has no MatMul or Gemm layer with a weight to quantise.");

        // The Transposes and Casts that fed the quantised weights are left without consumers: drop them.
        UnusedNodes.Remove(nodes, graph, n => n.OpType is "Transpose" or "Cast");
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        ContribOps.Import(model);
        return new QuantizedGraph(quantized.Count, quantized, kept);
    }
}
