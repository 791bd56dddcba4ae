using System.Runtime.InteropServices;
using Google.Protobuf;
using NanoBanana.Onnx;
using NanoBanana.Onnx.Proto;

namespace NanoBanana.Lora;

/// <summary>The injected model plus what happened: how many layers got a branch and which keys matched nothing.</summary>
public sealed record LoraInjectionResult(ModelProto Model, int AppliedTargets, IReadOnlyList<string> ScaleInputs, LoraMapping Mapping);

/// <summary>
/// Applies LoRAs without merging: every targeted layer y = f(x, W) gets a low-rank side branch
/// y += s · up(down(x)), with s a float scalar graph input per adapter (<see cref="LoraScales.InputName"/>).
/// Base initializers are left exactly as they are (external data references included), so no merged
/// copy of the model is ever written and changing an adapter's weight between images is just a
/// different input value. The small A/B factors are inline initializers of the returned model.
/// Works on any graph, e.g. one UNet segment: targets outside it are reported as unmatched, not thrown.
/// </summary>
public static class LoraGraphInjector
{
    public static LoraInjectionResult Inject(ModelProto baseModel, IReadOnlyList<LoraAdapter> adapters, LoraComponent component = LoraComponent.Unet)
    {
        var duplicate = adapters.GroupBy(a => a.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"Two LoRA adapters are both named '{duplicate.Key}'; give each a distinct name.", nameof(adapters));

        var model = baseModel.Clone();
        var graph = model.Graph;
        var mapping = LoraTargetMapper.Map(graph, adapters, component);
        var taken = new HashSet<string>(graph.Node.SelectMany(n => n.Output).Concat(graph.Initializer.Select(i => i.Name))
            .Concat(graph.Input.Select(i => i.Name)), StringComparer.Ordinal);
        string Unique(string prefix)
        {
            string name = prefix;
            for (int n = 1; !taken.Add(name); n++) name = $"{prefix}_{n}";
            return name;
        }

        var scaleInputs = new List<string>();
        var scaleBySite = new Dictionary<(string Adapter, int ElementType), string>();
        string ScaleFor(LoraAdapter adapter, int elementType, List<NodeProto> emit)
        {
            if (scaleBySite.TryGetValue((adapter.Name, elementType), out var existing)) return existing;
            string input = LoraScales.InputName(adapter.Name);
            if (!scaleInputs.Contains(input))
            {
                if (!taken.Add(input)) throw new InvalidOperationException($"The model already has a tensor named '{input}'; was the LoRA injected twice?");
                graph.Input.Add(OnnxGraphBuilder.ValueInfo(input, OnnxDataType.Float));
                scaleInputs.Add(input);
            }
            string scaled = input;
            if (elementType != (int)OnnxDataType.Float)
            {
                // fp16 models: the scale stays a float input (one API for all models) and is cast once per adapter.
                scaled = Unique(input + "/cast");
                emit.Add(Node("Cast", $"/lora/{adapter.Name}/scale_cast", new[] { input }, scaled, OnnxAttribute.Int("to", elementType)));
            }
            return scaleBySite[(adapter.Name, elementType)] = scaled;
        }

        var branchesByNode = mapping.Matches.GroupBy(m => m.Site.Node).ToDictionary(g => g.Key, g => g.ToList());
        var nodes = new List<NodeProto>(graph.Node.Count + mapping.Matches.Count * 4);
        foreach (var node in graph.Node)
        {
            nodes.Add(node);
            if (!branchesByNode.TryGetValue(node, out var matches)) continue;

            // The layer's own output is renamed and the sum takes its name, so consumers and graph outputs are untouched.
            string output = node.Output[0];
            string sum = Unique(output + "/lora_base");
            node.Output[0] = sum;
            for (int i = 0; i < matches.Count; i++)
            {
                var m = matches[i];
                string prefix = $"/lora/{m.Adapter.Name}/{m.Site.ModulePath}";
                string scale = ScaleFor(m.Adapter, m.Site.ElementType, nodes);
                string branch = m.Site.IsConv
                    ? ConvBranch(m, node, prefix, graph, nodes, Unique)
                    : LinearBranch(m, node, prefix, graph, nodes, Unique);
                string scaled = Unique(prefix + "/Mul_output_0");
                nodes.Add(Node("Mul", prefix + "/Mul", new[] { branch, scale }, scaled));
                string next = i == matches.Count - 1 ? output : Unique(prefix + "/Add_output_0");
                nodes.Add(Node("Add", prefix + "/Add", new[] { sum, scaled }, next));
                sum = next;
            }
        }
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        return new LoraInjectionResult(model, mapping.Matches.Count, scaleInputs, mapping);
    }

    private static string LinearBranch(LoraMatch m, NodeProto node, string prefix, GraphProto graph, List<NodeProto> nodes, Func<string, string> unique)
    {
        if (node.OpType == "Gemm" && node.Attribute.Any(a => a.Name == "transA" && a.I != 0))
            throw new NotSupportedException($"Layer '{m.Site.ModulePath}' is a Gemm with transA=1, which LoRA injection does not handle.");
        // Gemm computes alpha·x·W; the merged weight would be scaled by alpha too.
        float gemmAlpha = node.OpType == "Gemm" ? node.Attribute.FirstOrDefault(a => a.Name == "alpha")?.F ?? 1f : 1f;
        long r = m.Target.Rank;
        string a = AddFactor(graph, unique(prefix + ".lora_A"), new[] { m.Target.InFeatures, r }, LoraDelta.LinearA(m.Target), m.Site.ElementType);
        string b = AddFactor(graph, unique(prefix + ".lora_B"), new[] { r, m.Target.OutFeatures }, LoraDelta.LinearB(m.Target, gemmAlpha), m.Site.ElementType);
        string down = unique(prefix + "/lora_down/MatMul_output_0");
        nodes.Add(Node("MatMul", prefix + "/lora_down/MatMul", new[] { node.Input[0], a }, down));
        string up = unique(prefix + "/lora_up/MatMul_output_0");
        nodes.Add(Node("MatMul", prefix + "/lora_up/MatMul", new[] { down, b }, up));
        return up;
    }

    private static string ConvBranch(LoraMatch m, NodeProto node, string prefix, GraphProto graph, List<NodeProto> nodes, Func<string, string> unique)
    {
        if (node.Attribute.Any(a => a.Name == "group" && a.I != 1))
            throw new NotSupportedException($"Layer '{m.Site.ModulePath}' is a grouped convolution; LoRA injection supports group=1 only.");
        long r = m.Target.Rank;
        string down = AddFactor(graph, unique(prefix + ".lora_down"), new[] { r, m.Target.InFeatures, m.Site.KernelHeight, m.Site.KernelWidth }, m.Target.Down, m.Site.ElementType);
        string up = AddFactor(graph, unique(prefix + ".lora_up"), new[] { m.Target.OutFeatures, r, 1L, 1L }, LoraDelta.ConvUp(m.Target), m.Site.ElementType);
        // The down conv repeats the layer's geometry so the branch output lines up pixel for pixel.
        var geometry = node.Attribute.Where(a => a.Name is "strides" or "pads" or "dilations" or "auto_pad").Select(a => a.Clone()).ToArray();
        string hidden = unique(prefix + "/lora_down/Conv_output_0");
        nodes.Add(Node("Conv", prefix + "/lora_down/Conv", new[] { node.Input[0], down }, hidden, geometry));
        string output = unique(prefix + "/lora_up/Conv_output_0");
        nodes.Add(Node("Conv", prefix + "/lora_up/Conv", new[] { hidden, up }, output));
        return output;
    }

    private static string AddFactor(GraphProto graph, string name, long[] dims, float[] values, int elementType)
    {
        var tensor = new TensorProto { Name = name, DataType = elementType };
        tensor.Dims.AddRange(dims);
        tensor.RawData = elementType switch
        {
            (int)OnnxDataType.Float => ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())),
            (int)OnnxDataType.Float16 => ByteString.CopyFrom(MemoryMarshal.AsBytes(values.Select(v => (Half)v).ToArray().AsSpan())),
            _ => throw new NotSupportedException($"LoRA injection supports float and float16 layers, not ONNX element type {elementType} ('{name}')."),
        };
        graph.Initializer.Add(tensor);
        return name;
    }

    private static NodeProto Node(string opType, string name, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }
}
