namespace NanoBanana.Onnx;

/// <summary>ONNX tensor element types; the values are <c>TensorProto.DataType</c>'s.</summary>
public enum TensorElementType
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

public static class TensorElementTypeExtensions
{
    public static int SizeInBytes(this TensorElementType type) => type switch
    {
        TensorElementType.Float or TensorElementType.Int32 => 4,
        TensorElementType.UInt8 or TensorElementType.Int8 or TensorElementType.Bool => 1,
        TensorElementType.Int64 or TensorElementType.Double => 8,
        TensorElementType.Float16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unsupported tensor element type."),
    };

    public static long ElementCount(IReadOnlyList<long> dims)
    {
        long n = 1;
        foreach (var d in dims) n = checked(n * d);
        return n;
    }
}
