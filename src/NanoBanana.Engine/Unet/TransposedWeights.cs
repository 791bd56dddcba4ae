using NanoBanana.Models;
using NanoBanana.Onnx;
using NanoBanana.Onnx.Proto;

namespace NanoBanana.Unet;

/// <summary>
/// Lets a streamed segment read linear weights stored [out, in] where they lie. Such a weight (diffusers' own
/// layout, as the synthetic "Named" models and some exporters write it) reaches its MatMul through a Transpose. A kept
/// segment's optimiser folds that Transpose once, at load. A streamed segment has no optimiser (see
/// <see cref="Runtime.ModelSessions.GetGraph"/>), so the Transpose would copy the weight at every run. Here
/// <c>MatMul(x, Transpose(W))</c> becomes <c>com.microsoft.FusedMatMul(x, W, transB = 1)</c>, which reads W in place.
/// </summary>
public static class TransposedWeights
{
    public const string FusedOpType = "FusedMatMul";

    /// <summary>Rewrites <paramref name="model"/> in place; returns how many MatMuls now read their weight in place.</summary>
    public static int ReadInPlace(ModelProto model)
    {
        var graph = new OnnxGraph(model.Graph);
        var outputs = model.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        int rewritten = 0;
        foreach (var transpose in model.Graph.Node.Where(n => n.OpType == "Transpose"))
        {
            if (graph.Initializer(transpose.Input[0]) is not { Dims.Count: 2 } || outputs.Contains(transpose.Output[0])) continue;
            if (transpose.Attribute.FirstOrDefault(a => a.Name == "perm") is { } perm && !perm.Ints.SequenceEqual([1L, 0L])) continue;
            var readers = graph.Consumers(transpose.Output[0]);
            if (readers.Any(r => r.OpType != "MatMul" || r.Domain.Length > 0 || r.Input[0] == transpose.Output[0])) continue;
            foreach (var matMul in readers)
            {
                matMul.OpType = FusedOpType;
                matMul.Domain = ContribOps.Domain;
                matMul.Input[1] = transpose.Input[0];
                matMul.Attribute.Add(OnnxAttribute.Int("transB", 1));
                rewritten++;
            }
        }
        if (rewritten == 0) return 0;
        var nodes = model.Graph.Node.ToList();
        UnusedNodes.Remove(nodes, model.Graph, n => n.OpType == "Transpose");
        model.Graph.Node.Clear();
        model.Graph.Node.AddRange(nodes);
        ContribOps.Import(model);
        return rewritten;
    }
}
