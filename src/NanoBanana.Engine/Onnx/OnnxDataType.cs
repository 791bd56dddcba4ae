namespace NanoBanana.Onnx;

/// <summary>ONNX tensor data types; the values are <c>TensorProto.DataType</c>'s.</summary>
public enum OnnxDataType
{
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    Int32 = 6,
    Int64 = 7,
    Bool = 9,
    Float16 = 10,
    Double = 11,
}

public static class OnnxDataTypeExtensions
{
    public static int SizeInBytes(this OnnxDataType type) => type switch
    {
        OnnxDataType.Float or OnnxDataType.Int32 => 4,
        OnnxDataType.UInt8 or OnnxDataType.Int8 or OnnxDataType.Bool => 1,
        OnnxDataType.Int64 or OnnxDataType.Double => 8,
        OnnxDataType.Float16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unsupported tensor element type."),
    };

    public static long ElementCount(IReadOnlyList<long> dims)
    {
        long n = 1;
        foreach (var d in dims) n = checked(n * d);
        return n;
    }
}
