using NanoBanana.Onnx.Proto;

namespace NanoBanana.Onnx;

/// <summary>
/// Streams initializer bytes into an ONNX external data file (e.g. <c>model.onnx_data</c>) as they are
/// produced, so a multi-gigabyte model is written without holding its weights in memory.
/// The returned <see cref="TensorProto"/> carries <c>location</c>/<c>offset</c>/<c>length</c> entries
/// exactly as torch.onnx and Optimum write them.
/// </summary>
public sealed class ExternalDataWriter : IDisposable
{
    // ORT memory-maps external data; page-friendly alignment lets it map tensors in place.
    private const int Alignment = 64;
    private readonly FileStream _stream;

    public ExternalDataWriter(string dataFilePath)
    {
        DataFilePath = dataFilePath;
        Location = Path.GetFileName(dataFilePath);
        _stream = new FileStream(dataFilePath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
    }

    public string DataFilePath { get; }

    /// <summary>The file name recorded in each tensor's <c>location</c> entry (relative to the model file).</summary>
    public string Location { get; }

    public long Length => _stream.Length;

    public TensorProto Write(string name, OnnxDataType type, IReadOnlyList<long> dims, ReadOnlySpan<byte> raw)
    {
        long expected = OnnxDataTypeExtensions.ElementCount(dims) * type.SizeInBytes();
        if (raw.Length != expected)
            throw new ArgumentException($"Initializer '{name}' has {raw.Length} bytes; its shape and type need {expected}.", nameof(raw));

        long pad = (Alignment - _stream.Position % Alignment) % Alignment;
        for (long i = 0; i < pad; i++) _stream.WriteByte(0);
        long offset = _stream.Position;
        _stream.Write(raw);

        var tensor = new TensorProto { Name = name, DataType = (int)type, DataLocation = TensorProto.Types.DataLocation.External };
        tensor.Dims.AddRange(dims);
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = Location });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = raw.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return tensor;
    }

    public void Dispose() => _stream.Dispose();
}
