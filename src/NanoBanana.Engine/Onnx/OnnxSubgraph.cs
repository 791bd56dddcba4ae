using NanoBanana.Onnx.Proto;

namespace NanoBanana.Onnx;

/// <summary>
/// Cuts a standalone model out of a graph: a set of its nodes, with every value they read from outside
/// becoming an input and every value they produce that is used outside (or is a graph output) becoming an
/// output. Initializers are carried over as they are, so external ones keep pointing at the original data
/// file (no copy of the weights). ONNX Runtime 1.31 refuses a model file whose external data lies outside its
/// own folder ("../model.onnx_data"), so a segment is loaded from memory with <see cref="SessionOptionsFor"/>
/// naming the original model's folder. This is the cut the segmented UNet runtime makes at block boundaries.
/// </summary>
public static class OnnxSubgraph
{
    public static ModelProto Extract(ModelProto model, IReadOnlyCollection<NodeProto> nodes, string name)
    {
        var graph = model.Graph;
        var selected = new HashSet<NodeProto>(nodes, ReferenceEqualityComparer.Instance);
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var valueTypes = graph.Input.Concat(graph.Output).Concat(graph.ValueInfo)
            .GroupBy(v => v.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var produced = selected.SelectMany(n => n.Output).Where(o => o.Length > 0).ToHashSet(StringComparer.Ordinal);
        var graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var readOutside = graph.Node.Where(n => !selected.Contains(n)).SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        var queries = new OnnxGraph(graph);

        var sub = new GraphProto { Name = name };
        sub.Node.AddRange(graph.Node.Where(selected.Contains).Select(n => n.Clone()));
        foreach (var input in selected.SelectMany(n => n.Input).Where(i => i.Length > 0).Distinct(StringComparer.Ordinal))
        {
            if (produced.Contains(input)) continue;
            if (initializers.TryGetValue(input, out var tensor)) sub.Initializer.Add(tensor.Clone());
            else sub.Input.Add(Typed(valueTypes, input, queries));
        }
        foreach (var output in produced.Where(o => graphOutputs.Contains(o) || readOutside.Contains(o)))
            sub.Output.Add(Typed(valueTypes, output, queries));

        var result = new ModelProto
        {
            IrVersion = model.IrVersion, ProducerName = model.ProducerName, ProducerVersion = model.ProducerVersion, Graph = sub,
        };
        result.OpsetImport.AddRange(model.OpsetImport);
        return result;
    }

    /// <summary>
    /// Session options for a segment loaded from bytes: its external initializers are read from
    /// <paramref name="modelDirectory"/> (ORT's <c>session.model_external_initializers_file_folder_path</c>).
    /// </summary>
    public static Microsoft.ML.OnnxRuntime.SessionOptions SessionOptionsFor(string modelDirectory, Microsoft.ML.OnnxRuntime.SessionOptions? options = null)
    {
        options ??= new Microsoft.ML.OnnxRuntime.SessionOptions();
        options.AddSessionConfigEntry("session.model_external_initializers_file_folder_path", modelDirectory);
        return options;
    }

    /// <summary>Points every external initializer at <paramref name="location"/> (relative to where the segment is saved).</summary>
    public static void RelocateExternalData(ModelProto model, string location)
    {
        foreach (var tensor in model.Graph.Initializer.Where(t => t.DataLocation == TensorProto.Types.DataLocation.External))
            tensor.ExternalData.Single(e => e.Key == "location").Value = location;
    }

    /// <summary>
    /// The graph's declared type for a boundary value, else a tensor of the inferred element type with unknown
    /// shape: exports often omit value_info for intermediates, and ONNX Runtime needs at least the element type.
    /// </summary>
    private static ValueInfoProto Typed(IReadOnlyDictionary<string, ValueInfoProto> types, string name, OnnxGraph graph)
    {
        if (types.TryGetValue(name, out var info)) return info.Clone();
        int type = graph.ElementType(name);
        if (type == 0) throw new InvalidDataException($"Cannot tell the element type of '{name}', which crosses a segment boundary; declare it in the graph's value_info.");
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = type } } };
    }
}
