using System.Runtime.InteropServices;
using NanoBanana.Onnx;
using NanoBanana.Onnx.Proto;

namespace NanoBanana.Lora;

/// <summary>
/// Offline reference: writes a copy of a model with LoRAs baked in, W' = W + Σ weight·ΔW.
/// Used to check the unmerged injection and by users who want a standalone merged model;
/// the runtime path never does this. Initializers are streamed one at a time into external data.
/// </summary>
public static class LoraMerger
{
    private const int InlineThresholdBytes = 1024;

    /// <summary>Merges into <c>modelFolder/unet</c> (or the text encoder folder) and writes <c>outputFolder/&lt;part&gt;/model.onnx</c> + <c>model.onnx_data</c>.</summary>
    public static string WriteMergedModel(string modelFolder, IReadOnlyList<LoraAdapter> adapters, IReadOnlyList<float> weights, string outputFolder,
        LoraComponent component = LoraComponent.Unet)
    {
        if (adapters.Count != weights.Count) throw new ArgumentException("Give one weight per LoRA adapter.", nameof(weights));
        string part = PartFolder(component);
        string modelPath = Path.Combine(modelFolder, part, "model.onnx");
        var source = OnnxModel.Load(modelPath);
        var model = source.Proto;
        var mapping = LoraTargetMapper.Map(model.Graph, adapters, component);

        var deltas = new Dictionary<string, List<(LoraMatch Match, float Weight)>>(StringComparer.Ordinal);
        foreach (var m in mapping.Matches)
        {
            if (!deltas.TryGetValue(m.Site.WeightName, out var list)) deltas[m.Site.WeightName] = list = new();
            list.Add((m, weights[IndexOf(adapters, m.Adapter)]));
        }

        string outDir = Directory.CreateDirectory(Path.Combine(outputFolder, part)).FullName;
        var initializers = model.Graph.Initializer.ToList();
        model.Graph.Initializer.Clear();
        using (var data = new ExternalDataWriter(Path.Combine(outDir, "model.onnx_data")))
        {
            foreach (var tensor in initializers)
            {
                byte[] bytes = source.ReadBytes(tensor.Name);
                if (deltas.TryGetValue(tensor.Name, out var list))
                    foreach (var (match, weight) in list) AddDelta(bytes, tensor.DataType, match, weight);
                // Small tensors (shape constants) stay inline: ORT's shape inference cannot read external ones.
                if (bytes.Length < InlineThresholdBytes)
                {
                    var inline = new TensorProto { Name = tensor.Name, DataType = tensor.DataType, RawData = Google.Protobuf.ByteString.CopyFrom(bytes) };
                    inline.Dims.AddRange(tensor.Dims);
                    model.Graph.Initializer.Add(inline);
                }
                else model.Graph.Initializer.Add(data.Write(tensor.Name, (OnnxDataType)tensor.DataType, tensor.Dims.ToArray(), bytes));
            }
        }
        string outPath = Path.Combine(outDir, "model.onnx");
        OnnxModelFile.Save(model, outPath);
        return outPath;
    }

    public static string PartFolder(LoraComponent component) => component switch
    {
        LoraComponent.TextEncoder => "text_encoder",
        LoraComponent.TextEncoder2 => "text_encoder_2",
        _ => "unet",
    };

    private static int IndexOf(IReadOnlyList<LoraAdapter> adapters, LoraAdapter adapter)
    {
        for (int i = 0; i < adapters.Count; i++) if (ReferenceEquals(adapters[i], adapter)) return i;
        throw new InvalidOperationException("Adapter not in list.");
    }

    private static void AddDelta(byte[] bytes, int dataType, LoraMatch match, float weight)
    {
        var site = match.Site;
        float[] delta = LoraDelta.DeltaOutIn(match.Target); // [out, in·kh·kw]
        // Gemm computes alpha·x·W, so the injected branch carries alpha; the merged weight does not need it.
        long outs = site.OutFeatures, inner = delta.Length / outs;
        long Index(long o, long j) => site.StoredOutIn ? o * inner + j : j * outs + o;
        if (dataType == (int)OnnxDataType.Float)
        {
            var w = MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
            for (long o = 0; o < outs; o++)
                for (long j = 0; j < inner; j++) w[(int)Index(o, j)] += weight * delta[o * inner + j];
        }
        else if (dataType == (int)OnnxDataType.Float16)
        {
            var w = MemoryMarshal.Cast<byte, Half>(bytes.AsSpan());
            for (long o = 0; o < outs; o++)
                for (long j = 0; j < inner; j++) w[(int)Index(o, j)] = (Half)((float)w[(int)Index(o, j)] + weight * delta[o * inner + j]);
        }
        else throw new NotSupportedException($"Cannot merge a LoRA into '{site.WeightName}' of ONNX element type {dataType}.");
    }
}
