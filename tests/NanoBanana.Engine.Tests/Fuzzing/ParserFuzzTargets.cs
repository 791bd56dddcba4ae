using System.Text;
using System.Text.Json;
using NanoBanana.Catalogue;
using NanoBanana.Models;
using NanoBanana.Pipeline;
using NanoBanana.Schedulers;
using NanoBanana.Unet;
using NanoBanana.Imaging;
using NanoBanana.Imaging.Upscaling;
using NanoBanana.Lora;
using NanoBanana.Onnx;
using NanoBanana.Text;
using NanoBanana.Tests.Shared;

namespace NanoBanana.Engine.Tests.Fuzzing;

/// <summary>The parsers issue 16 fuzzes, each with a small valid seed and the named errors it may give.</summary>
internal static class ParserFuzzTargets
{
    static readonly string Scratch = Directory.CreateTempSubdirectory("nb-fuzz-").FullName;

    static string ScratchFile(string name, byte[] bytes)
    {
        string path = Path.Combine(Scratch, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    const string Parameters = "a drone, <lora:x:1>\nNegative prompt: blurry\nSteps: 3, Sampler: Euler a, CFG scale: 7.5, Seed: 42, Size: 64x64, Model: m, Lora weights: \"a: 0.5, b: 1\"";

    const string Ncnn = "7767517\n4 4\nInput in 0 1 data\nConvolution conv 1 1 data c 0=4 1=3 4=1 5=1 6=108 9=2 -23310=1,0.2\nPixelShuffle ps 1 1 c s 0=2\nInterp up 1 1 s out 0=1 1=1 2=1\n";

    static byte[] NcnnBin() => new byte[4 + 108 * 4 + 4 * 4];

    static byte[] Lora()
    {
        string path = Path.Combine(Scratch, "seed.safetensors");
        SafetensorsWriter.Write(path, [("lora_unet_a_proj.lora_down.weight", [2, 3], [1, 2, 3, 4, 5, 6]), ("lora_unet_a_proj.lora_up.weight", [3, 2], [1, 2, 3, 4, 5, 6]),
            ("lora_unet_a_proj.alpha", [], [1])], new Dictionary<string, string> { ["lora_alpha"] = "2" });
        return File.ReadAllBytes(path);
    }

    const string Vocabulary = """{"<|startoftext|>": 0, "<|endoftext|>": 1, "a</w>": 2, "p": 3, "h": 4, "ph": 5, "o</w>": 6, "d": 7, "r": 8, "dr": 9, ",</w>": 10}""";
    const string Merges = "#version: 0.2\np h\nd r\n";

    static void Tokenize(byte[] vocab, byte[] merges)
    {
        string folder = Path.Combine(Scratch, "tokenizer");
        ScratchFile("tokenizer/vocab.json", vocab);
        ScratchFile("tokenizer/merges.txt", merges);
        ClipTokenizer.Load(folder).Encode("a photo of a drone, drawn");
    }

    const string Scheduler = """{"_class_name": "EulerDiscreteScheduler", "beta_end": 0.012, "beta_schedule": "scaled_linear", "beta_start": 0.00085, "num_train_timesteps": 1000, "steps_offset": 1, "timestep_spacing": "leading", "prediction_type": "epsilon", "use_karras_sigmas": false}""";

    const char Separator = '\u001F';
    static readonly string Row = string.Join(Separator, "AeroDrone X4", "a drone", "<product name=\"drone\"><part name=\"propeller\" count=\"4\"/></product>",
        "blurry", "Knolling", "42", "30", "7.5", "1024", "1024", "Euler a", "Separate", "turbo=0.7; style=0.3");

    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("PNG text chunks + A1111 parameters", [HostilePng.Create(8, 8, Parameters)],
            png => { if (PngTextChunks.Read(png, ImageCodec.ParametersKeyword) is { } text) A1111Parameters.Format(A1111Parameters.Parse(text)); }),
        new("image decode", [HostilePng.Create(8, 8, Parameters)], png => ImageCodec.Decode(png, "fuzz.png"),
            typeof(ImageFormatException), typeof(IOException)),
        new("safetensors LoRA", [Lora()], bytes => LoraAdapter.Load(ScratchFile("fuzz.safetensors", bytes), "fuzz"),
            typeof(InvalidDataException), typeof(IOException)),
        new("ONNX model file", [OnnxModelFile.ToBytes(NcnnToOnnxConverter.Convert(NcnnParam.Parse(Ncnn, "seed.param"), NcnnBin(), "seed.bin", "seed"))], bytes =>
        {
            var model = OnnxModelFile.Parse(new MemoryStream(bytes), "fuzz.onnx");
            foreach (var tensor in model.Graph.Initializer) InitializerInfo.From(tensor, "fuzz.onnx");
            _ = new OnnxGraph(model.Graph);
            ReceptiveField.Of(model, NcnnToOnnxConverter.InputName);
        }, typeof(InvalidDataException), typeof(IOException)),
        new("model_index.json", [Utf8("""{"_class_name": "StableDiffusionXLPipeline", "_diffusers_version": "0.19.0", "force_zeros_for_empty_prompt": true}""")],
            bytes =>
            {
                string path = ScratchFile("model_index.json", bytes);
                var index = ModelConfigFile.Read(path);
                ModelConfigFile.String(index, "_class_name", path);
                ModelConfigFile.Number(index, "scaling_factor", path);
            }, typeof(InvalidDataException), typeof(IOException)),
        new("scheduler_config.json", [Utf8(Scheduler)], bytes =>
        {
            var config = SchedulerConfig.Load(ScratchFile("scheduler_config.json", bytes));
            if (config.ClassName is { } name && SchedulerFactory.IsKnown(name)) _ = SchedulerFactory.Create(config, 4).Timesteps;
        }, typeof(InvalidDataException), typeof(IOException), typeof(NotSupportedException), typeof(ArgumentOutOfRangeException)),
        new("vocab.json", [Utf8(Vocabulary)], bytes => Tokenize(bytes, Utf8(Merges)), typeof(InvalidDataException), typeof(IOException)),
        new("merges.txt", [Utf8(Merges)], bytes => Tokenize(Utf8(Vocabulary), bytes), typeof(InvalidDataException), typeof(IOException)),
        new("ncnn .param", [Utf8(Ncnn)], bytes => Convert(Encoding.UTF8.GetString(bytes), NcnnBin()), typeof(NcnnFormatException), typeof(InvalidDataException)),
        new("ncnn .bin", [NcnnBin()], bytes => Convert(Ncnn, bytes), typeof(NcnnFormatException), typeof(InvalidDataException)),
        new("Parts XML", [Utf8("<product name=\"drone\"><part name=\"propeller\" count=\"4\" material=\"carbon fibre\"/><battery colour=\"grey\">spare</battery></product>")],
            bytes => StructuredPrompt.Flatten(Encoding.UTF8.GetString(bytes)), typeof(StructuredPromptException)),
        new("CSV cells", [Utf8(Row)], bytes => CatalogueRow(Encoding.UTF8.GetString(bytes)).ToRequest(), typeof(RenderRowException)),
    ];

    static void Convert(string param, byte[] bin)
    {
        var model = NcnnToOnnxConverter.Convert(NcnnParam.Parse(param, "fuzz.param"), bin, "fuzz.bin", "fuzz");
        ReceptiveField.Of(model, NcnnToOnnxConverter.InputName);
    }

    static RenderRow CatalogueRow(string text)
    {
        var cells = text.Split(Separator);
        string? Cell(int i) => i < cells.Length ? cells[i] : null;
        return new RenderRow
        {
            Name = Cell(0), Prompt = Cell(1), Parts = Cell(2), NegativePrompt = Cell(3), Style = Cell(4), Seed = Cell(5), Steps = Cell(6),
            CfgScale = Cell(7), Width = Cell(8), Height = Cell(9), Scheduler = Cell(10), GuidanceBatching = Cell(11), LoraWeight = Cell(12),
            LayoutStrength = Cell(13),
        };
    }
}
