using System.Runtime.InteropServices;
using NanoBanana.Models;
using NanoBanana.Onnx;
using NanoBanana.Onnx.Proto;

namespace NanoBanana.Optimization;

/// <summary>How a quantised linear layer computes.</summary>
public enum QuantizationScheme
{
    /// <summary>Weight-only and block-wise (<c>MatMulNBits</c>, <see cref="BlockQuantizer"/>): the activations stay
    /// float. Int8 or Int4; ONNX Runtime has kernels for it on the CPU and on CUDA.</summary>
    WeightOnly,

    /// <summary>Int8 weights per output column (<see cref="ColumnQuantizer"/>) and int8 activations, quantised per tensor
    /// at every run (<c>DynamicQuantizeMatMul</c>, what ONNX Runtime's <c>quantize_dynamic</c> writes): integer
    /// products, about half fp32's time per linear layer on an AVX2 CPU (bench <c>kernels</c>). ONNX Runtime has a CPU
    /// kernel only; on CUDA these layers fall back to the CPU.</summary>
    Dynamic,
}

/// <summary>One weight the quantiser replaced: its [N, K] layout, how it is stored in the source, the block (the whole
/// of K for <see cref="QuantizationScheme.Dynamic"/>'s per-column scales) and the scheme.</summary>
public sealed record QuantizedWeight(int N, int K, bool StoredOutIn, OnnxDataType ScaleType, int Block, WeightBits Bits,
    QuantizationScheme Scheme = QuantizationScheme.WeightOnly);

/// <summary>A component graph with its linear layers rewritten: the weights to write as codes and scales, and the
/// layers left as they were (with why).</summary>
public sealed record QuantizedGraph(int Layers, IReadOnlyDictionary<string, QuantizedWeight> Weights, IReadOnlyList<string> Kept);

/// <summary>
/// Rewrites a component's MatMul/Gemm layers with a weight into ONNX Runtime's <c>com.microsoft.MatMulNBits</c>
/// (weight-only, block-wise, <see cref="BlockQuantizer"/>): the weights shrink 4–8× against fp32, activations stay
/// float, and with <see cref="AccuracyLevel"/> 4 ONNX Runtime may compute in int8 where the CPU has int8 arithmetic.
/// Or, with <see cref="QuantizationScheme.Dynamic"/>, into <c>com.microsoft.DynamicQuantizeMatMul</c> (int8 weights and
/// activations). Convolutions are kept. The layer keeps its node name and its weight's name (the name now holds the
/// codes), so LoRA keys still find it. Writing the codes is <see cref="ModelOptimizer"/>'s.
/// </summary>
public static class ModelQuantizer
{
    public const string OpType = "MatMulNBits";

    /// <summary>The operator of <see cref="QuantizationScheme.Dynamic"/>: float A, int8 B [K, N], per-column scales.</summary>
    public const string DynamicOpType = "DynamicQuantizeMatMul";

    /// <summary>Lets ONNX Runtime quantise activations to int8 per block and use integer dot products (VNNI/AVX512).</summary>
    public const int AccuracyLevel = 4;

    /// <summary>The components whose linear layers are quantised; the VAE is all convolutions and stays.</summary>
    public static readonly IReadOnlyList<string> Components = [DiffusionModel.Unet, DiffusionModel.TextEncoder, DiffusionModel.TextEncoder2];

    /// <summary>The scheme a component's layers get. Dynamic activations pay off where the time goes, the UNet, run
    /// twice per step; the text encoders run once per image, so they stay weight-only and lose no more accuracy.</summary>
    public static QuantizationScheme SchemeFor(string component, QuantizationScheme requested) =>
        component == DiffusionModel.Unet ? requested : QuantizationScheme.WeightOnly;

    /// <summary>The default block: 128 codes per scale for int8, 64 for int4, so an fp32 scale costs at most half a bit per
    /// weight (llama.cpp's q4_0 budget) and an Int4 SDXL UNet stays within 40 % of its fp16 bytes. On the synthetic Small
    /// SDXL blocks of 32, 64 and 128 gave the same image error (bench/RESULTS.md); trained weights' outliers favour smaller
    /// blocks, which <c>-BlockSize 32</c> still gives.</summary>
    public static int DefaultBlockSize(WeightBits bits) => bits == WeightBits.Int8 ? 128 : 64;

    /// <exception cref="ArgumentOutOfRangeException">Bits other than 8 or 4, or a block MatMulNBits cannot take.</exception>
    public static void Validate(WeightBits bits, int block)
    {
        if (block < 16 || (block & (block - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(block), block, $"-BlockSize {block} is not possible: ONNX Runtime's MatMulNBits needs a power of two from 16 up (32 or 128 are usual).");
        if (!Enum.IsDefined(bits)) throw new ArgumentOutOfRangeException(nameof(bits), bits, "-Quantize takes Int8 or Int4.");
    }

    /// <summary>Rewrites <paramref name="model"/>'s linear layers in place (<paramref name="model"/> is the copy being
    /// written); <paramref name="source"/> names the file in messages.</summary>
    public static QuantizedGraph Quantize(string component, ModelProto model, string source, WeightBits bits, int block,
        QuantizationScheme scheme = QuantizationScheme.WeightOnly)
    {
        Validate(bits, block);
        var graph = model.Graph;
        if (graph.Node.FirstOrDefault(n => n.OpType is OpType or DynamicOpType) is { } quantizedLayer)
            throw new InvalidDataException($"'{source}' is already quantised: it has {quantizedLayer.OpType} layers. Quantise the original fp32/fp16 model instead.");
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
                throw new NotSupportedException($"{component}: layer '{layer}' is a Gemm with transA or alpha/beta other than 1, which a quantised layer cannot express. Re-export the model with plain linear layers.");
            if (uses.GetValueOrDefault(trace.Weight.Name) > 1 || layersPerWeight[trace.Weight.Name] > 1)
            {
                kept.Add($"{layer} (its weight is shared)");
                nodes.Add(node);
                continue;
            }
            long[] dims = trace.Weight.Dims.ToArray();
            // Transposed: the initializer is [out, in] (N, K), as MatMulNBits stores it; else [in, out].
            int n = (int)(trace.Transposed ? dims[0] : dims[1]), k = (int)(trace.Transposed ? dims[1] : dims[0]);
            // MatMulNBits' scales take the activations' type (a Cast after fp16 weights computes in fp32);
            // DynamicQuantizeMatMul computes in fp32 only.
            bool halfActivations = queries.ElementType(node.Input[0]) == (int)OnnxDataType.Float16;
            string scales = trace.Weight.Name + "_scales", output = node.Output[0];
            bool bias = node.OpType == "Gemm" && node.Input.Count > 2 && node.Input[2].Length > 0;
            string product = bias ? output + "/matmul" : output;
            if (scheme == QuantizationScheme.Dynamic)
            {
                quantized[trace.Weight.Name] = new QuantizedWeight(n, k, trace.Transposed, OnnxDataType.Float, k, bits, scheme);
                nodes.AddRange(DynamicLayer(layer, node.Name, node.Input[0], trace.Weight.Name, scales, product, halfActivations));
            }
            else
            {
                // A layer narrower than the block gets a block just covering it, so padding codes do not outweigh the weights.
                int layerBlock = Math.Min(block, Math.Max(16, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)k)));
                quantized[trace.Weight.Name] = new QuantizedWeight(n, k, trace.Transposed, halfActivations ? OnnxDataType.Float16 : OnnxDataType.Float, layerBlock, bits);
                var replacement = new NodeProto { OpType = OpType, Domain = ContribOps.Domain, Name = node.Name };
                replacement.Input.AddRange([node.Input[0], trace.Weight.Name, scales]);
                replacement.Output.Add(product);
                replacement.Attribute.AddRange([OnnxAttribute.Int("K", k), OnnxAttribute.Int("N", n), OnnxAttribute.Int("bits", (int)bits),
                    OnnxAttribute.Int("block_size", layerBlock), OnnxAttribute.Int("accuracy_level", AccuracyLevel)]);
                nodes.Add(replacement);
            }
            if (bias)
            {
                var add = new NodeProto { OpType = "Add", Name = node.Name + "/bias" };
                add.Input.AddRange([product, node.Input[2]]);
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

    /// <summary>The initializers that replace one quantised weight <paramref name="w"/> (as stored in the source): its
    /// codes under the weight's own name, and its scales.</summary>
    public static IEnumerable<(string Name, OnnxDataType Type, long[] Dims, byte[] Bytes)> Encode(string name, QuantizedWeight shape, float[] w)
    {
        Func<int, int, float> at = shape.StoredOutIn ? (r, c) => w[(long)r * shape.K + c] : (r, c) => w[(long)c * shape.N + r];
        if (shape.Scheme == QuantizationScheme.Dynamic)
        {
            var (columnCodes, columnScales) = ColumnQuantizer.Quantize(shape.N, shape.K, at);
            yield return (name, OnnxDataType.Int8, [shape.K, shape.N], MemoryMarshal.AsBytes(columnCodes.AsSpan()).ToArray());
            yield return (name + "_scales", OnnxDataType.Float, [shape.N], MemoryMarshal.AsBytes(columnScales.AsSpan()).ToArray());
            yield break;
        }
        var (codes, scales) = BlockQuantizer.Quantize(shape.N, shape.K, at, shape.Bits, shape.Block);
        yield return (name, OnnxDataType.UInt8, [shape.N, BlockQuantizer.BlockCount(shape.K, shape.Block), BlockQuantizer.BlobSize(shape.Block, shape.Bits)], codes);
        yield return (name + "_scales", shape.ScaleType, [scales.Length], shape.ScaleType == OnnxDataType.Float16
            ? MemoryMarshal.AsBytes(scales.Select(s => (Half)s).ToArray().AsSpan()).ToArray()
            : MemoryMarshal.AsBytes(scales.AsSpan()).ToArray());
    }

    /// <summary>The nodes of one <see cref="QuantizationScheme.Dynamic"/> layer: DynamicQuantizeMatMul takes and gives
    /// fp32 only, so an fp16 graph's activations are cast to it and back (ORT's CPU provider computes in fp32 anyway).</summary>
    static IEnumerable<NodeProto> DynamicLayer(string layer, string nodeName, string input, string weight, string scales, string output, bool halfActivations)
    {
        NodeProto Cast(string from, string to, OnnxDataType type, string suffix)
        {
            var cast = new NodeProto { OpType = "Cast", Name = layer + suffix };
            cast.Input.Add(from);
            cast.Output.Add(to);
            cast.Attribute.Add(OnnxAttribute.Int("to", (int)type));
            return cast;
        }
        var product = new NodeProto { OpType = DynamicOpType, Domain = ContribOps.Domain, Name = nodeName };
        // Named after the layer: one activation often feeds several layers (to_q, to_k, to_v), each with its own Cast.
        product.Input.AddRange([halfActivations ? layer + "/input_fp32" : input, weight, scales]);
        product.Output.Add(halfActivations ? layer + "/output_fp32" : output);
        if (halfActivations) yield return Cast(input, product.Input[0], OnnxDataType.Float, "/to_fp32");
        yield return product;
        if (halfActivations) yield return Cast(product.Output[0], output, OnnxDataType.Float16, "/to_fp16");
    }
}
