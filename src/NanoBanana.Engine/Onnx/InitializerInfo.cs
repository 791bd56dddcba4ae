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
        long expected = ByteLengthOf(tensor, modelPath);
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

    /// <summary>Element count × element size, checked: a hostile file's dims may be negative or multiply past 2⁶³.</summary>
    static long ByteLengthOf(TensorProto tensor, string modelPath)
    {
        var type = (OnnxDataType)tensor.DataType;
        if (!Enum.IsDefined(type))
            throw new InvalidDataException($"'{modelPath}': initializer '{tensor.Name}' has data_type {tensor.DataType}, which is not one of {string.Join(", ", Enum.GetNames<OnnxDataType>())}. Re-export the model in fp32 or fp16.");
        if (tensor.Dims.Any(d => d < 0))
            throw new InvalidDataException($"'{modelPath}': initializer '{tensor.Name}' has a negative dimension [{string.Join(",", tensor.Dims)}]. Re-export the model.");
        try
        {
            return checked(OnnxDataTypeExtensions.ElementCount(tensor.Dims) * type.SizeInBytes());
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"'{modelPath}': initializer '{tensor.Name}' has dimensions [{string.Join(",", tensor.Dims)}] whose size overflows 64 bits. Re-export the model.");
        }
    }
}
