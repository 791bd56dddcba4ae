using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace NanoBanana.Runtime;

/// <summary>
/// The dtype boundary: the pipeline computes in fp32/int64 and converts to whatever element type the
/// model declares (fp16 floats, int32 ids) only when building the ORT input, and back on output.
/// </summary>
public static class OrtTensors
{
    public static OrtValue Floats(ReadOnlySpan<float> data, long[] shape, TensorElementType type) => type switch
    {
        TensorElementType.Float => OrtValue.CreateTensorValueFromMemory(data.ToArray(), shape),
        TensorElementType.Float16 => OrtValue.CreateTensorValueFromMemory(ToHalf(data), shape),
        TensorElementType.Double => OrtValue.CreateTensorValueFromMemory(ToArray(data, x => (double)x), shape),
        TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(ToArray(data, x => (long)x), shape),
        TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(ToArray(data, x => (int)x), shape),
        _ => throw new NotSupportedException($"Tensor element type {type} is not supported for numeric inputs."),
    };

    public static OrtValue Integers(ReadOnlySpan<int> data, long[] shape, TensorElementType type) => type switch
    {
        TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(data.ToArray(), shape),
        TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(ToArray(data, x => (long)x), shape),
        _ => throw new NotSupportedException($"Token ids must be int32 or int64, the model declares {type}."),
    };

    /// <summary>Reads any float tensor (fp32 or fp16) as fp32.</summary>
    public static float[] ReadFloats(OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        return info.ElementDataType switch
        {
            TensorElementType.Float => value.GetTensorDataAsSpan<float>().ToArray(),
            TensorElementType.Float16 => ToArray(value.GetTensorDataAsSpan<Float16>(), h => (float)h),
            _ => throw new NotSupportedException($"Expected a float tensor output, got {info.ElementDataType}."),
        };
    }

    public static long[] Shape(OrtValue value) => value.GetTensorTypeAndShape().Shape;

    static Float16[] ToHalf(ReadOnlySpan<float> data) => ToArray(data, x => (Float16)x);

    static TOut[] ToArray<TIn, TOut>(ReadOnlySpan<TIn> data, Func<TIn, TOut> convert)
    {
        var result = new TOut[data.Length];
        for (int i = 0; i < data.Length; i++) result[i] = convert(data[i]);
        return result;
    }
}
