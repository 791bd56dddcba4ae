using NanoBanana.Onnx.Proto;

namespace NanoBanana.Onnx;

/// <summary>What an initializer is and where its bytes live, known without reading them.</summary>
public sealed record InitializerInfo(string Name, OnnxDataType DataType, IReadOnlyList<long> Dims, long ByteLength, string? ExternalLocation, long ExternalOffset)
{
    public bool IsExternal => ExternalLocation is not null;

    public long ElementCount => OnnxDataTypeExtensions.ElementCount(Dims);

    internal static InitializerInfo From(TensorProto tensor, string modelPath)
    {
        var type = (OnnxDataType)tensor.DataType;
        long expected = OnnxDataTypeExtensions.ElementCount(tensor.Dims) * type.SizeInBytes();
        if (tensor.DataLocation != TensorProto.Types.DataLocation.External)
            return new InitializerInfo(tensor.Name, type, tensor.Dims, expected, null, 0);

        string? location = null;
        long offset = 0, length = expected;
        foreach (var entry in tensor.ExternalData)
        {
            switch (entry.Key)
            {
                case "location":
                    location = entry.Value;
                    break;
                case "offset" when !long.TryParse(entry.Value, out offset) || offset < 0:
                case "length" when !long.TryParse(entry.Value, out length) || length < 0:
                    throw new InvalidDataException($"'{modelPath}': initializer '{tensor.Name}' has an invalid external-data {entry.Key} '{entry.Value}'. Re-export the model.");
            }
        }
        if (location is null)
            throw new InvalidDataException($"'{modelPath}': initializer '{tensor.Name}' is marked external but names no location. Re-export the model.");
        if (length != expected)
            throw new InvalidDataException($"'{modelPath}': initializer '{tensor.Name}' declares {length} bytes of external data but its shape and type need {expected}. Re-export the model.");
        return new InitializerInfo(tensor.Name, type, tensor.Dims, length, location, offset);
    }
}
