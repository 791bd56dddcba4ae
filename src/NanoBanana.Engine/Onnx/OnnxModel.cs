using System.Runtime.InteropServices;
using NanoBanana.Onnx.Proto;

namespace NanoBanana.Onnx;

/// <summary>
/// An ONNX model file opened for inspection: its graph, and its initializers read one at a time on demand,
/// from the protobuf or from the external data file next to it (e.g. <c>model.onnx_data</c>), so a
/// multi-gigabyte UNet is never loaded whole. Every external reference is checked against the data file.
/// </summary>
public sealed class OnnxModel
{
    private readonly Dictionary<string, TensorProto> _initializers;

    private OnnxModel(string path, ModelProto proto)
    {
        Path = System.IO.Path.GetFullPath(path);
        Proto = proto;
        _initializers = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (var tensor in proto.Graph.Initializer) _initializers[tensor.Name] = tensor;
        Graph = new OnnxGraph(proto.Graph);
    }

    public static OnnxModel Load(string path) => new(path, OnnxModelFile.Load(path));

    public string Path { get; }

    public string Directory => System.IO.Path.GetDirectoryName(Path)!;

    public ModelProto Proto { get; }

    public OnnxGraph Graph { get; }

    public IEnumerable<InitializerInfo> Initializers => Proto.Graph.Initializer.Select(t => InitializerInfo.From(t, Path));

    public bool HasInitializer(string name) => _initializers.ContainsKey(name);

    public InitializerInfo Describe(string name) => InitializerInfo.From(Tensor(name), Path);

    /// <summary>The initializer's raw little-endian bytes, read now (from the external file if it lives there).</summary>
    public byte[] ReadBytes(string name)
    {
        var tensor = Tensor(name);
        var info = InitializerInfo.From(tensor, Path);
        if (info.ExternalLocation is { } location) return ReadExternal(info, location);
        if (!tensor.RawData.IsEmpty)
        {
            if (tensor.RawData.Length != info.ByteLength)
                throw new InvalidDataException($"'{Path}': initializer '{name}' holds {tensor.RawData.Length} bytes; its shape and type need {info.ByteLength}.");
            return tensor.RawData.ToByteArray();
        }
        return info.DataType switch
        {
            OnnxDataType.Float => MemoryMarshal.AsBytes(tensor.FloatData.ToArray().AsSpan()).ToArray(),
            OnnxDataType.Int64 => MemoryMarshal.AsBytes(tensor.Int64Data.ToArray().AsSpan()).ToArray(),
            OnnxDataType.Int32 => MemoryMarshal.AsBytes(tensor.Int32Data.ToArray().AsSpan()).ToArray(),
            OnnxDataType.Double => MemoryMarshal.AsBytes(tensor.DoubleData.ToArray().AsSpan()).ToArray(),
            // float16 values are stored as their bit patterns in int32_data, one per element.
            OnnxDataType.Float16 => MemoryMarshal.AsBytes(tensor.Int32Data.Select(v => (ushort)v).ToArray().AsSpan()).ToArray(),
            _ => throw new NotSupportedException($"'{Path}': initializer '{name}' stores {info.DataType} in typed fields, which this reader does not handle."),
        };
    }

    /// <summary>A float or float16 initializer as floats.</summary>
    public float[] ReadFloats(string name)
    {
        var bytes = ReadBytes(name);
        return Describe(name).DataType switch
        {
            OnnxDataType.Float => MemoryMarshal.Cast<byte, float>(bytes).ToArray(),
            OnnxDataType.Float16 => MemoryMarshal.Cast<byte, Half>(bytes).ToArray().Select(h => (float)h).ToArray(),
            var other => throw new InvalidDataException($"'{Path}': initializer '{name}' is {other}, not a floating-point tensor."),
        };
    }

    private TensorProto Tensor(string name) =>
        _initializers.TryGetValue(name, out var tensor) ? tensor
            : throw new KeyNotFoundException($"'{Path}' has no initializer named '{name}'.");

    /// <summary>Checks every external initializer's file and byte range without reading any weights.</summary>
    /// <returns>One message per problem (naming the initializer, the file and the fix); empty when all is well.</returns>
    public IReadOnlyList<string> VerifyExternalData()
    {
        var problems = new List<string>();
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var tensor in Proto.Graph.Initializer)
        {
            try
            {
                var info = InitializerInfo.From(tensor, Path);
                if (info.ExternalLocation is { } location) ExternalFile(info, location, sizes);
            }
            catch (Exception e) when (e is InvalidDataException or FileNotFoundException)
            {
                problems.Add(e.Message);
            }
        }
        return problems;
    }

    /// <summary>The external data file of <paramref name="info"/>, after checking it exists, lies in the model's
    /// folder (as ONNX Runtime requires) and holds the initializer's byte range.</summary>
    private string ExternalFile(InitializerInfo info, string location, Dictionary<string, long>? sizeCache = null)
    {
        string file = System.IO.Path.GetFullPath(System.IO.Path.Combine(Directory, location));
        if (!file.StartsWith(Directory + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InvalidDataException($"'{Path}': initializer '{info.Name}' points outside the model's folder ('{location}'). Keep the external data file next to model.onnx and re-export.");
        if (sizeCache is null || !sizeCache.TryGetValue(file, out long size))
        {
            if (!File.Exists(file))
                throw new FileNotFoundException($"'{Path}': initializer '{info.Name}' lives in '{location}', which is missing. Copy the model's external data file next to it.", file);
            size = new FileInfo(file).Length;
            if (sizeCache is not null) sizeCache[file] = size;
        }
        // Compared without adding: a hostile offset near 2⁶³ would wrap the sum below the file's size.
        if (info.ExternalOffset > size || info.ByteLength > size - info.ExternalOffset)
            throw new InvalidDataException($"'{Path}': initializer '{info.Name}' needs {info.ByteLength} bytes from offset {info.ExternalOffset} of '{location}', which has only {size}. The data file is truncated or belongs to another export: copy it again from the original export.");
        return file;
    }

    private byte[] ReadExternal(InitializerInfo info, string location)
    {
        string file = ExternalFile(info, location);
        if (info.ByteLength > Array.MaxLength)
            throw new InvalidDataException($"'{Path}': initializer '{info.Name}' is {info.ByteLength} bytes, more than one array can hold; no layer this module edits is this large.");
        var bytes = new byte[info.ByteLength];
        using var handle = File.OpenHandle(file);
        int read = 0;
        while (read < bytes.Length)
        {
            int n = RandomAccess.Read(handle, bytes.AsSpan(read), info.ExternalOffset + read);
            if (n == 0) throw new EndOfStreamException($"'{file}' ended early while reading '{info.Name}'.");
            read += n;
        }
        return bytes;
    }
}
