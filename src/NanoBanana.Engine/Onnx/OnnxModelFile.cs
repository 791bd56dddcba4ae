using Google.Protobuf;
using NanoBanana.Onnx.Proto;

namespace NanoBanana.Onnx;

/// <summary>Reads and writes the <c>model.onnx</c> protobuf. Weights in external data files are not loaded here.</summary>
public static class OnnxModelFile
{
    public static ModelProto Load(string path)
    {
        using var stream = new BufferedStream(File.OpenRead(path), 1 << 16);
        return Parse(stream, path);
    }

    /// <summary>Parses a model after counting its graph's entries (<see cref="OnnxGraphCensus"/>) when the stream can seek.</summary>
    public static ModelProto Parse(Stream stream, string sourceName)
    {
        if (stream.CanSeek) OnnxGraphCensus.Check(stream, sourceName);
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new InvalidDataException($"'{sourceName}' is not a valid ONNX model: {ex.Message}", ex);
        }
        // Protobuf leaves absent messages null; every reader here walks the graph and its values' types.
        if (model.Graph is null)
            throw new InvalidDataException($"'{sourceName}' is not a valid ONNX model: it has no graph. Re-export it.");
        if (model.Graph.Input.Concat(model.Graph.Output).FirstOrDefault(v => v.Type?.TensorType is null) is { } untyped)
            throw new InvalidDataException($"'{sourceName}': graph input or output '{Limits.Excerpt.Of(untyped.Name)}' has no tensor type. Re-export the model.");
        return model;
    }

    /// <summary>Serialises to a temporary file and renames it over <paramref name="path"/>, so no half-written model remains.</summary>
    public static void Save(ModelProto model, string path)
    {
        string temp = path + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
                model.WriteTo(stream);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static byte[] ToBytes(ModelProto model) => model.ToByteArray();
}
