using NanoBanana.Onnx;
using NanoBanana.Onnx.Proto;

namespace NanoBanana.Lora;

/// <summary>A LoRA target and the graph site it applies to.</summary>
public sealed record LoraMatch(LoraAdapter Adapter, LoraTarget Target, LoraModuleSite Site);

/// <summary>Targets found in a graph, and those that were not (e.g. outside a UNet segment, or for another model).</summary>
public sealed record LoraMapping(IReadOnlyList<LoraMatch> Matches, IReadOnlyList<string> Unmatched)
{
    /// <summary>A one-line warning with up to five examples, or null when every target was found.</summary>
    public string? Warning => Unmatched.Count == 0 ? null
        : $"{Unmatched.Count} LoRA key(s) match no layer of this model and were ignored, e.g. {string.Join(", ", Unmatched.Take(5))}.";
}

/// <summary>
/// Finds where each LoRA target lives in an ONNX graph. Module paths come from the weight
/// initializer's name (<c>….to_q.weight</c>) or, for anonymous <c>onnx::MatMul_*</c> weights, from the
/// torch.onnx node name (<c>/down_blocks.1/…/to_q/MatMul</c>). Kohya's underscored keys are matched
/// against those real paths with '.' replaced by '_', which resolves their ambiguity.
/// </summary>
public static class LoraTargetMapper
{
    public static IReadOnlyDictionary<string, LoraModuleSite> FindSites(GraphProto graph)
    {
        var queries = new OnnxGraph(graph);
        var sites = new Dictionary<string, LoraModuleSite>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            if (node.OpType is not ("MatMul" or "Gemm" or "Conv" or "MatMulNBits" or "DynamicQuantizeMatMul")) continue;
            // A MatMul whose second input is an activation (attention scores) has no weight and is skipped.
            if (queries.TraceWeight(node) is not { } trace) continue;
            var weight = trace.Weight;
            var dims = weight.Dims.ToArray();
            int elementType = trace.ComputeType ?? weight.DataType;
            // A quantised linear (Optimize-NanoBananaModel) computes in its scales' type (input 2): the activations' for
            // MatMulNBits, fp32 for DynamicQuantizeMatMul. MatMulNBits' codes are [N][blocks][blob], i.e. [out, in];
            // DynamicQuantizeMatMul's are [in, out] as a MatMul's weight.
            if (node.OpType is "MatMulNBits" or "DynamicQuantizeMatMul") elementType = queries.ElementType(node.Input[2]);
            if (node.OpType == "MatMulNBits") dims = [Attribute(node, "N"), Attribute(node, "K")];
            if (node.OpType == "Conv" ? dims.Length is not (3 or 4) : dims.Length != 2) continue;

            string? modulePath = ModulePathOf(weight.Name, node.Name);
            if (modulePath is null || sites.ContainsKey(modulePath)) continue;
            bool storedOutIn = node.OpType is "Conv" or "MatMulNBits" || trace.Transposed;
            // A Cast between weight and layer (fp16 weights, fp32 math) sets the branch's type.
            sites[modulePath] = new LoraModuleSite(modulePath, node, weight.Name, dims, storedOutIn, elementType);
        }
        return sites;
    }

    private static long Attribute(NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? throw new InvalidDataException($"Node '{node.Name}' ({node.OpType}) has no attribute '{name}'.");

    private static string? ModulePathOf(string weightName, string nodeName)
    {
        if (weightName.EndsWith(".weight", StringComparison.Ordinal) && !weightName.StartsWith("onnx::", StringComparison.Ordinal))
            return weightName[..^".weight".Length];
        // torch.onnx: "/down_blocks.1/attentions.0/transformer_blocks.0/attn1/to_q/MatMul" → module scopes + op.
        var scopes = nodeName.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return scopes.Length >= 2 ? string.Join('.', scopes[..^1]) : null;
    }

    /// <summary>Matches every target of <paramref name="component"/>; shape mismatches throw, missing modules are listed.</summary>
    public static LoraMapping Map(GraphProto graph, IReadOnlyList<LoraAdapter> adapters, LoraComponent component)
    {
        var sites = FindSites(graph);
        var byUnderscored = new Dictionary<string, List<LoraModuleSite>>(StringComparer.Ordinal);
        foreach (var site in sites.Values)
        {
            string key = site.ModulePath.Replace('.', '_');
            if (!byUnderscored.TryGetValue(key, out var list)) byUnderscored[key] = list = new List<LoraModuleSite>();
            list.Add(site);
        }

        var matches = new List<LoraMatch>();
        var unmatched = new List<string>();
        foreach (var adapter in adapters)
            foreach (var target in adapter.Targets.Where(t => t.Component == component))
            {
                LoraModuleSite? site = null;
                if (adapter.Format == LoraKeyFormat.Peft) sites.TryGetValue(target.ModuleKey, out site);
                if (site is null && byUnderscored.TryGetValue(target.ModuleKey.Replace('.', '_'), out var candidates))
                {
                    if (candidates.Count > 1)
                        throw new InvalidDataException(
                            $"LoRA '{adapter.Name}': key '{target.SourceKey}' fits several layers ({string.Join(", ", candidates.Select(c => c.ModulePath))}); the model's module names are ambiguous.");
                    site = candidates[0];
                }
                if (site is null) { unmatched.Add(target.SourceKey); continue; }
                CheckShape(adapter, target, site);
                matches.Add(new LoraMatch(adapter, target, site));
            }
        return new LoraMapping(matches, unmatched);
    }

    private static void CheckShape(LoraAdapter adapter, LoraTarget target, LoraModuleSite site)
    {
        long kh = target.DownShape.Length == 4 ? target.DownShape[2] : 1;
        long kw = target.DownShape.Length == 4 ? target.DownShape[3] : 1;
        bool fits = target.InFeatures == site.InFeatures && target.OutFeatures == site.OutFeatures
                    && kh == site.KernelHeight && kw == site.KernelWidth;
        if (!fits)
            throw new InvalidDataException(
                $"LoRA '{adapter.Name}': key '{target.SourceKey}' has down [{string.Join(",", target.DownShape)}] / up [{string.Join(",", target.UpShape)}] " +
                $"(ΔW [out {target.OutFeatures}, in {target.InFeatures}, {kh}x{kw}]) but layer '{site.ModulePath}' is [out {site.OutFeatures}, in {site.InFeatures}, {site.KernelHeight}x{site.KernelWidth}]. " +
                "The LoRA was trained for a different base model (e.g. SD 1.5 vs SDXL).");
    }
}
