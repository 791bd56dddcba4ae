using System.Runtime.InteropServices;
using NanoBanana.Models;
using NanoBanana.Onnx;
using NanoBanana.Onnx.Proto;

namespace NanoBanana.Quantization;

/// <summary>What <see cref="ModelQuantizer.Quantize"/> wrote, per quantised component.</summary>
public sealed record QuantizedComponent(string Component, int QuantizedLayers, IReadOnlyList<string> KeptLayers, long SourceWeightBytes, long WeightBytes);

public sealed record QuantizationReport(string Destination, WeightBits Bits, int BlockSize, IReadOnlyList<QuantizedComponent> Components);

/// <summary>
/// Writes a copy of a model folder whose UNet and text-encoder MatMul/Gemm weights are ONNX Runtime's
/// <c>com.microsoft.MatMulNBits</c> (weight-only, block-wise, <see cref="BlockQuantizer"/>): the weights shrink
/// 4–8× against fp32, activations stay float, and with <see cref="AccuracyLevel"/> 4 ONNX Runtime may compute in
/// int8 where the CPU has int8 arithmetic. Convolutions and every other file are kept as they are. The layer keeps
/// its node name and its weight's name (the name now holds the codes), so LoRA keys still find it. The copy is
/// written into a staging folder next to the destination and renamed at the end: nothing half-written remains.
/// </summary>
public static class ModelQuantizer
{
    public const string Domain = "com.microsoft", OpType = "MatMulNBits";

    /// <summary>Lets ONNX Runtime quantise activations to int8 per block and use integer dot products (VNNI/AVX512).</summary>
    public const int AccuracyLevel = 4;

    /// <summary>The components whose linear layers are quantised; the VAE is all convolutions and stays.</summary>
    public static readonly IReadOnlyList<string> Components = [DiffusionModel.Unet, DiffusionModel.TextEncoder, DiffusionModel.TextEncoder2];

    /// <summary>The default block: 128 codes per scale for int8 (scales cost 3 %), 32 for int4 (its error needs small blocks).</summary>
    public static int DefaultBlockSize(WeightBits bits) => bits == WeightBits.Int8 ? 128 : 32;

    public static QuantizationReport Quantize(string source, string destination, WeightBits bits, int? blockSize = null, IProgress<string>? progress = null)
    {
        int block = blockSize ?? DefaultBlockSize(bits);
        if (block < 16 || (block & (block - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(blockSize), block, $"-BlockSize {block} is not possible: ONNX Runtime's MatMulNBits needs a power of two from 16 up (32 or 128 are usual).");
        if (!Enum.IsDefined(bits)) throw new ArgumentOutOfRangeException(nameof(bits), bits, "-Quantize takes Int8 or Int4.");
        var model = DiffusionModel.Open(source);
        string target = Path.GetFullPath(destination);
        if (Directory.Exists(target) || File.Exists(target))
            throw new IOException($"The destination '{target}' already exists. Name a new folder, or delete this one first.");
        foreach (var name in Components.Where(model.Components.ContainsKey))
            if (OnnxModelFile.Load(model[name].Path).Graph.Node.Any(n => n.OpType == OpType))
                throw new InvalidDataException($"'{model.Folder}' is already quantised: its {name} has {OpType} layers. Quantise the original fp32/fp16 model instead.");

        string staging = target + ".partial-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            Directory.CreateDirectory(staging);
            var rewritten = new HashSet<string>(StringComparer.Ordinal);
            var components = new List<QuantizedComponent>();
            foreach (var name in Components.Where(model.Components.ContainsKey))
            {
                progress?.Report($"Quantising {name} to {bits} (block {block})");
                var onnx = OnnxModel.Load(model[name].Path);
                string relative = Path.GetRelativePath(model.Folder, onnx.Path);
                rewritten.Add(relative);
                foreach (var info in onnx.Initializers.Where(i => i.IsExternal))
                    rewritten.Add(Path.GetRelativePath(model.Folder, Path.GetFullPath(Path.Combine(onnx.Directory, info.ExternalLocation!))));
                components.Add(QuantizeComponent(name, onnx, Path.Combine(staging, relative), bits, block));
            }
            foreach (var file in Directory.EnumerateFiles(model.Folder, "*", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(model.Folder, file);
                if (rewritten.Contains(relative)) continue;
                string copy = Path.Combine(staging, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                File.Copy(file, copy);
            }
            Directory.Move(staging, target);
            return new QuantizationReport(target, bits, block, components);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    static QuantizedComponent QuantizeComponent(string component, OnnxModel source, string modelPath, WeightBits bits, int block)
    {
        var graph = source.Proto.Graph;
        var queries = source.Graph;
        var proto = source.Proto.Clone();
        var nodes = new List<NodeProto>();
        var quantized = new Dictionary<string, (int N, int K, bool StoredOutIn, OnnxDataType ScaleType, int Block)>(StringComparer.Ordinal);
        var kept = new List<string>();
        var uses = graph.Node.SelectMany(n => n.Input).GroupBy(i => i, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var layersPerWeight = graph.Node.Where(n => n.OpType is "MatMul" or "Gemm").Select(queries.TraceWeight).OfType<WeightTrace>()
            .GroupBy(t => t.Weight.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        foreach (var original in graph.Node)
        {
            var node = original.Clone();
            if (node.OpType is not ("MatMul" or "Gemm") || queries.TraceWeight(original) is not { Weight.Dims.Count: 2 } trace)
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
            quantized[trace.Weight.Name] = (n, k, trace.Transposed, scaleType, layerBlock);
            string scales = trace.Weight.Name + "_scales", output = node.Output[0];
            bool bias = node.OpType == "Gemm" && node.Input.Count > 2 && node.Input[2].Length > 0;
            var replacement = new NodeProto { OpType = OpType, Domain = Domain, Name = node.Name };
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
            throw new InvalidDataException($"{component} of '{source.Path}' has no MatMul or Gemm layer with a weight to quantise.");

        // The Transposes and Casts that fed the quantised weights are left without consumers: drop them.
        var graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        for (bool removed = true; removed;)
        {
            var consumed = nodes.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
            removed = nodes.RemoveAll(n => n.OpType is "Transpose" or "Cast" && n.Output.All(o => !consumed.Contains(o) && !graphOutputs.Contains(o))) > 0;
        }
        proto.Graph.Node.Clear();
        proto.Graph.Node.AddRange(nodes);
        if (!proto.OpsetImport.Any(o => o.Domain == Domain)) proto.OpsetImport.Add(new OperatorSetIdProto { Domain = Domain, Version = 1 });

        var stillUsed = nodes.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        proto.Graph.Initializer.Clear();
        Directory.CreateDirectory(Path.GetDirectoryName(modelPath)!);
        long before = 0, after = 0;
        using (var data = new ExternalDataWriter(Path.Combine(Path.GetDirectoryName(modelPath)!, "model.onnx_data")))
        {
            foreach (var tensor in graph.Initializer)
            {
                var info = InitializerInfo.From(tensor, source.Path);
                before += info.ByteLength;
                if (!stillUsed.Contains(tensor.Name)) continue;
                if (quantized.TryGetValue(tensor.Name, out var shape))
                {
                    var w = source.ReadFloats(tensor.Name);
                    var (codes, scales) = BlockQuantizer.Quantize(shape.N, shape.K,
                        shape.StoredOutIn ? (r, c) => w[(long)r * shape.K + c] : (r, c) => w[(long)c * shape.N + r], bits, shape.Block);
                    int blocks = BlockQuantizer.BlockCount(shape.K, shape.Block);
                    proto.Graph.Initializer.Add(data.Write(tensor.Name, OnnxDataType.UInt8, [shape.N, blocks, BlockQuantizer.BlobSize(shape.Block, bits)], codes));
                    var scaleBytes = shape.ScaleType == OnnxDataType.Float16
                        ? MemoryMarshal.AsBytes(scales.Select(s => (Half)s).ToArray().AsSpan()).ToArray()
                        : MemoryMarshal.AsBytes(scales.AsSpan()).ToArray();
                    proto.Graph.Initializer.Add(data.Write(tensor.Name + "_scales", shape.ScaleType, [scales.Length], scaleBytes));
                    after += codes.Length + scaleBytes.Length;
                }
                else
                {
                    proto.Graph.Initializer.Add(info.IsExternal ? data.Write(tensor.Name, info.DataType, info.Dims, source.ReadBytes(tensor.Name)) : tensor);
                    after += info.ByteLength;
                }
            }
        }
        OnnxModelFile.Save(proto, modelPath);
        return new QuantizedComponent(component, quantized.Count, kept, before, after);
    }
}
