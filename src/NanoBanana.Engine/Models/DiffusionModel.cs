using System.Text.Json;
using Microsoft.ML.OnnxRuntime.Tensors;
using NanoBanana.Onnx;
using NanoBanana.Onnx.Proto;

namespace NanoBanana.Models;

/// <summary>
/// A diffusers/Optimum ONNX export folder: architecture from model_index.json, component paths, scheduler
/// config, VAE scaling factor, and each component's I/O contract read from the ONNX files' metadata.
/// Opening reads each ONNX graph for its declared inputs/outputs (and the weights of a file that embeds them, which are
/// not kept); sessions are created by <see cref="Runtime.ModelSessions"/>.
/// </summary>
public sealed class DiffusionModel
{
    public const string TextEncoder = "text_encoder", TextEncoder2 = "text_encoder_2", Unet = "unet", VaeDecoder = "vae_decoder";

    /// <summary>The VAE's encoder: optional (text-to-image does not use it), read on first use by image-to-image.</summary>
    public const string VaeEncoder = "vae_encoder";

    DiffusionModel(string folder, ModelRecognition recognition, IReadOnlyDictionary<string, ModelComponent> components,
        SchedulerConfig scheduler, float vaeScalingFactor, bool forceZerosForEmptyPrompt)
    {
        Folder = folder; Recognition = recognition; Components = components;
        SchedulerConfig = scheduler; VaeScalingFactor = vaeScalingFactor; ForceZerosForEmptyPrompt = forceZerosForEmptyPrompt;
    }

    public string Folder { get; }

    /// <summary>The folder's name: what A1111 metadata records as "Model".</summary>
    public string Name => System.IO.Path.GetFileName(Folder.TrimEnd(System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar));

    public DiffusionArchitecture Architecture => Recognition.Architecture;

    /// <summary>What the folder was recognised as, and why (<see cref="ModelRecognition"/>).</summary>
    public ModelRecognition Recognition { get; }

    public IReadOnlyDictionary<string, ModelComponent> Components { get; }

    public SchedulerConfig SchedulerConfig { get; }

    public float VaeScalingFactor { get; }

    /// <summary>model_index.json <c>force_zeros_for_empty_prompt</c> (diffusers default true for SDXL):
    /// an empty negative prompt becomes zero embeddings instead of the encoded "".</summary>
    public bool ForceZerosForEmptyPrompt { get; }

    public ModelComponent this[string component] => Components.TryGetValue(component, out var c) ? c
        : throw new InvalidDataException($"Model '{Folder}' has no {component} component (expected {component}/model.onnx).");

    public static DiffusionModel Open(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        folder = System.IO.Path.GetFullPath(folder);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Model folder '{folder}' does not exist. Pass the folder of a diffusers/Optimum ONNX export (the one holding model_index.json).");
        string indexPath = System.IO.Path.Combine(folder, "model_index.json");
        if (!File.Exists(indexPath))
            throw new FileNotFoundException($"'{indexPath}' is missing: '{folder}' is not a diffusers/Optimum ONNX export. Export it with `optimum-cli export onnx --model <id> <folder>`.", indexPath);

        var (recognition, index, read) = Recognise(folder);
        var architecture = recognition.Architecture;
        bool forceZeros = index.ValueKind == JsonValueKind.Object && index.TryGetProperty("force_zeros_for_empty_prompt", out var fz)
            ? fz.ValueKind == JsonValueKind.True
            : architecture == DiffusionArchitecture.StableDiffusionXL;

        var components = new Dictionary<string, ModelComponent>();
        foreach (string name in RequiredComponents(architecture))
            components[name] = read.TryGetValue(name, out var component) ? component : ReadComponent(folder, name);

        string schedulerPath = System.IO.Path.Combine(folder, "scheduler", "scheduler_config.json");
        if (!File.Exists(schedulerPath))
            throw new FileNotFoundException($"'{schedulerPath}' is missing; copy scheduler/scheduler_config.json from the original diffusers model.", schedulerPath);
        var scheduler = SchedulerConfig.Load(schedulerPath);

        float scaling = architecture == DiffusionArchitecture.StableDiffusionXL ? 0.13025f : 0.18215f;
        string vaeConfig = System.IO.Path.Combine(folder, VaeDecoder, "config.json");
        if (File.Exists(vaeConfig))
        {
            if (ModelConfigFile.Number(ModelConfigFile.Read(vaeConfig), "scaling_factor", vaeConfig) is double factor)
                scaling = factor > 0 && factor <= 100 ? (float)factor
                    : throw new InvalidDataException($"'{vaeConfig}': scaling_factor {factor} is out of range (SDXL's is 0.13025, SD 1.5's 0.18215). Copy the original file again.");
        }
        foreach (string tokenizer in architecture == DiffusionArchitecture.StableDiffusionXL ? new[] { "tokenizer", "tokenizer_2" } : ["tokenizer"])
            if (!File.Exists(System.IO.Path.Combine(folder, tokenizer, "vocab.json")))
                throw new FileNotFoundException($"'{System.IO.Path.Combine(folder, tokenizer)}' needs vocab.json and merges.txt; copy the {tokenizer} folder from the original diffusers model.");

        return new DiffusionModel(folder, recognition, components, scheduler, scaling, forceZeros);
    }

    /// <summary>Recognises the export in <paramref name="folder"/> from model_index.json and its components' graphs.</summary>
    /// <exception cref="FileNotFoundException">model_index.json or unet/model.onnx is missing.</exception>
    /// <exception cref="InvalidDataException">Unreadable JSON or ONNX, or a variant that is refused (<see cref="ModelInvalidException"/>).</exception>
    /// <returns>Also the components read on the way (the UNet and the text encoders present), so they are parsed once.</returns>
    internal static (ModelRecognition Recognition, JsonElement Index, Dictionary<string, ModelComponent> Components) Recognise(string folder)
    {
        string indexPath = System.IO.Path.Combine(folder, "model_index.json");
        // Within the size limit, and a _class_name of another kind (a number) is named rather than read as "".
        var index = ModelConfigFile.Read(indexPath);
        string className = ModelConfigFile.String(index, "_class_name", indexPath) ?? "";
        var read = new Dictionary<string, ModelComponent> { [Unet] = ReadComponent(folder, Unet) };
        var encoders = new Dictionary<string, ModelComponent>();
        foreach (string encoder in new[] { TextEncoder, TextEncoder2 })
        {
            string path = System.IO.Path.Combine(folder, encoder, "model.onnx");
            if (!File.Exists(path)) continue;
            // Recognition needs only that an encoder is there; an unreadable one is reported by whoever reads it for use.
            try { encoders[encoder] = read[encoder] = ReadComponent(folder, encoder); }
            catch (InvalidDataException) { encoders[encoder] = new ModelComponent(encoder, path, [], []); }
        }
        var recognition = ModelRecognition.Recognise(indexPath, className, read[Unet], encoders.GetValueOrDefault(TextEncoder), encoders.GetValueOrDefault(TextEncoder2));
        return (recognition, index.ValueKind == JsonValueKind.Object ? index : default, read);
    }

    /// <summary>The components a pipeline of <paramref name="architecture"/> needs.</summary>
    internal static string[] RequiredComponents(DiffusionArchitecture architecture) => architecture == DiffusionArchitecture.StableDiffusionXL
        ? [TextEncoder, TextEncoder2, Unet, VaeDecoder]
        : [TextEncoder, Unet, VaeDecoder];

    internal static ModelComponent ReadComponent(string folder, string name)
    {
        string path = System.IO.Path.Combine(folder, name, "model.onnx");
        if (!File.Exists(path))
            throw new FileNotFoundException($"'{path}' is missing; the export is incomplete. Re-export with `optimum-cli export onnx` or copy {name}/ from a complete export.", path);
        // The protobuf, not an InferenceSession: external data (model.onnx_data) is not read, so an Optimum export's
        // multi-GB weights load once, by ModelSessions. Weights stored inside model.onnx (exports under 2 GB) are read
        // here with the graph and dropped when the contract has been taken.
        ModelProto proto;
        try { proto = OnnxModelFile.Load(path); }
        catch (Exception e) when (e is Google.Protobuf.InvalidProtocolBufferException or IOException)
        {
            throw new InvalidDataException($"'{path}' is not a readable ONNX model ({e.Message}). Re-export it with `optimum-cli export onnx`.", e);
        }
        var initializers = proto.Graph.Initializer.Select(i => i.Name).ToHashSet();
        // A declared size outside int (a damaged or hostile file) is refused, not wrapped into a plausible one.
        TensorContract Contract(ValueInfoProto v) => new(v.Name, (TensorElementType)v.Type.TensorType.ElemType,
            v.Type.TensorType.Shape?.Dim.Select(d => d.ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? -1
                : d.DimValue is >= 0 and <= int.MaxValue ? (int)d.DimValue
                : throw new InvalidDataException($"'{path}': '{v.Name}' declares dimension {d.DimValue}. Re-export it with `optimum-cli export onnx`.")).ToArray() ?? []);
        long weightBytes, halfBytes;
        // ONNX Runtime's own operators (MatMulNBits' scales) take fp16 as it is; the standard ones are cast up on the CPU.
        var readByContribOps = proto.Graph.Node.Where(n => n.Domain == ContribOps.Domain).SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        try
        {
            weightBytes = checked(proto.Graph.Initializer.Sum(t => InitializerInfo.From(t, path).ByteLength));
            halfBytes = proto.Graph.Initializer.Where(t => t.DataType == (int)OnnxDataType.Float16 && !readByContribOps.Contains(t.Name)).Sum(t => InitializerInfo.From(t, path).ByteLength);
        }
        catch (OverflowException) { throw new InvalidDataException($"'{path}': its initializers add up to more than 2⁶³ bytes. Re-export it with `optimum-cli export onnx`."); }
        return new ModelComponent(name, path,
            proto.Graph.Input.Where(i => !initializers.Contains(i.Name)).Select(Contract).ToArray(),
            proto.Graph.Output.Select(Contract).ToArray(), weightBytes,
            proto.Graph.Node.Any(n => n.Domain == ContribOps.Domain && n.OpType == ContribOps.MultiHeadAttention), halfBytes);
    }
}
