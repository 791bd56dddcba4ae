using NanoBanana.Models;
using NanoBanana.Onnx;
using NanoBanana.Onnx.Proto;

namespace NanoBanana.Optimization;

/// <summary>What to do to a model's copy: quantise its linear weights (<see cref="Bits"/>, null to keep them; as
/// <see cref="Scheme"/> says), fuse its attention, or both.</summary>
public sealed record ModelOptimization(WeightBits? Bits = null, int? BlockSize = null, bool FuseAttention = false,
    QuantizationScheme Scheme = QuantizationScheme.WeightOnly);

/// <summary>What <see cref="ModelOptimizer.Optimize"/> did to one component (<see cref="Scheme"/>: how its layers were
/// quantised, if they were).</summary>
public sealed record OptimizedComponent(string Component, int QuantizedLayers, IReadOnlyList<string> KeptLayers, int FusedAttentions, long SourceWeightBytes, long WeightBytes,
    QuantizationScheme? Scheme = null);

public sealed record ModelOptimizationReport(string Destination, WeightBits? Bits, int? BlockSize, bool FusedAttention, IReadOnlyList<OptimizedComponent> Components,
    QuantizationScheme Scheme = QuantizationScheme.WeightOnly);

/// <summary>
/// Writes an optimised copy of a model folder (<c>Optimize-NanoBananaModel</c>): the UNet's and text encoders' linear
/// weights quantised (<see cref="ModelQuantizer"/>), the UNet's attention fused (<see cref="AttentionFusion"/>);
/// every other file is copied unchanged. Weights are streamed one tensor at a time. The copy is written into a
/// staging folder next to the destination and renamed at the end: nothing half-written remains.
/// </summary>
public static class ModelOptimizer
{
    /// <summary>The components whose attention is fused. The text encoders' is masked and short. The VAE's peak is its
    /// full-resolution convolutions, not its mid-block attention: fused, a 1024² decode peaked no lower without ONNX
    /// Runtime's arena (3,507 against 3,518 MiB) and 2 GB higher with the engine's shared arena (bench/RESULTS.md).</summary>
    public static readonly IReadOnlyList<string> FusedComponents = [DiffusionModel.Unet];

    public static ModelOptimizationReport Optimize(string source, string destination, ModelOptimization request, IProgress<string>? progress = null)
    {
        if (request.Bits is null && !request.FuseAttention)
            throw new ArgumentException("Nothing to do: name -Quantize Int8|Int4, -FuseAttention, or both.", nameof(request));
        if (request.Bits is null && request.BlockSize is not null)
            throw new ArgumentException("-BlockSize applies to quantisation: name -Quantize Int8|Int4 with it.", nameof(request));
        if (request.Scheme == QuantizationScheme.Dynamic && (request.Bits != WeightBits.Int8 || request.BlockSize is not null))
            throw new ArgumentException("Dynamic quantisation is int8 with one scale per output column: name -Quantize Int8Dynamic without -BlockSize.", nameof(request));
        // With dynamic activations the UNet has per-column scales; the block is the text encoders' (weight-only).
        int? block = request.Bits is { } b ? request.BlockSize ?? ModelQuantizer.DefaultBlockSize(b) : null;
        if (request.Bits is { } bits) ModelQuantizer.Validate(bits, block!.Value);
        var model = DiffusionModel.Open(source);
        string target = Path.GetFullPath(destination);
        if (Directory.Exists(target) || File.Exists(target))
            throw new IOException($"The destination '{target}' already exists. Name a new folder, or delete this one first.");
        // By file, not by the components a render needs: the VAE encoder is optional and read only by image-to-image.
        string ComponentFile(string component) => Path.Combine(model.Folder, component, "model.onnx");
        var components = (request.Bits is null ? Enumerable.Empty<string>() : ModelQuantizer.Components)
            .Union(request.FuseAttention ? FusedComponents : Enumerable.Empty<string>()).Where(c => File.Exists(ComponentFile(c))).ToList();
        if (request.FuseAttention)
            foreach (var name in FusedComponents.Intersect(components))
                if (model.Components.TryGetValue(name, out var component) && component.FusedAttention)
                    throw new InvalidDataException($"'{model.Folder}' already has fused attention: its {name} has {AttentionFusion.OpType} nodes. Leave out -FuseAttention.");

        string staging = target + ".partial-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            Directory.CreateDirectory(staging);
            var rewritten = new HashSet<string>(StringComparer.Ordinal);
            var report = new List<OptimizedComponent>();
            foreach (var name in components)
            {
                var onnx = OnnxModel.Load(ComponentFile(name));
                string relative = Path.GetRelativePath(model.Folder, onnx.Path);
                rewritten.Add(relative);
                foreach (var info in onnx.Initializers.Where(i => i.IsExternal))
                    rewritten.Add(Path.GetRelativePath(model.Folder, Path.GetFullPath(Path.Combine(onnx.Directory, info.ExternalLocation!))));
                var proto = onnx.Proto.Clone();
                int fused = 0;
                if (request.FuseAttention && FusedComponents.Contains(name))
                {
                    progress?.Report($"Fusing {name}'s attention");
                    fused = AttentionFusion.Fuse(proto);
                }
                QuantizedGraph? quantized = null;
                QuantizationScheme? scheme = null;
                if (request.Bits is { } weightBits && ModelQuantizer.Components.Contains(name))
                {
                    scheme = ModelQuantizer.SchemeFor(name, request.Scheme);
                    progress?.Report(scheme == QuantizationScheme.Dynamic ? $"Quantising {name} to {weightBits} with dynamic activations" : $"Quantising {name} to {weightBits} (block {block})");
                    quantized = ModelQuantizer.Quantize(name, proto, onnx.Path, weightBits, block!.Value, scheme.Value);
                }
                var (before, after) = Write(onnx, proto, Path.Combine(staging, relative), quantized?.Weights);
                report.Add(new OptimizedComponent(name, quantized?.Layers ?? 0, quantized?.Kept ?? [], fused, before, after, scheme));
            }
            if (request.FuseAttention && report.Sum(c => c.FusedAttentions) == 0)
                throw new NotSupportedException($"'{model.Folder}' has no attention this module can fuse (Softmax(scale·Q·Kᵀ)·V without a mask, as Optimum and torch export it). Leave out -FuseAttention.");
            foreach (var file in Directory.EnumerateFiles(model.Folder, "*", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(model.Folder, file);
                if (rewritten.Contains(relative)) continue;
                string copy = Path.Combine(staging, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                File.Copy(file, copy);
            }
            Directory.Move(staging, target);
            return new ModelOptimizationReport(target, request.Bits, block, request.FuseAttention, report, request.Scheme);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>Writes <paramref name="proto"/> with the initializers it still uses, streamed from
    /// <paramref name="source"/> into one external data file: quantised weights as codes and scales, the rest as they were.</summary>
    static (long Before, long After) Write(OnnxModel source, ModelProto proto, string modelPath, IReadOnlyDictionary<string, QuantizedWeight>? quantized)
    {
        var stillUsed = proto.Graph.Node.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        proto.Graph.Initializer.Clear();
        Directory.CreateDirectory(Path.GetDirectoryName(modelPath)!);
        long before = 0, after = 0;
        using (var data = new ExternalDataWriter(Path.Combine(Path.GetDirectoryName(modelPath)!, "model.onnx_data")))
        {
            foreach (var tensor in source.Proto.Graph.Initializer)
            {
                var info = InitializerInfo.From(tensor, source.Path);
                before += info.ByteLength;
                if (!stillUsed.Contains(tensor.Name)) continue;
                if (quantized?.GetValueOrDefault(tensor.Name) is { } shape)
                {
                    foreach (var encoded in ModelQuantizer.Encode(tensor.Name, shape, source.ReadFloats(tensor.Name)))
                    {
                        proto.Graph.Initializer.Add(data.Write(encoded.Name, encoded.Type, encoded.Dims, encoded.Bytes));
                        after += encoded.Bytes.Length;
                    }
                }
                else
                {
                    proto.Graph.Initializer.Add(info.IsExternal ? data.Write(tensor.Name, info.DataType, info.Dims, source.ReadBytes(tensor.Name)) : tensor);
                    after += info.ByteLength;
                }
            }
        }
        OnnxModelFile.Save(proto, modelPath);
        return (before, after);
    }
}
