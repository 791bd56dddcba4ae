using System.Globalization;
using System.Runtime.InteropServices;
using NanoBanana.Onnx;
using NanoBanana.Onnx.Proto;

namespace NanoBanana.Lora;

/// <summary>
/// Reads one initializer's float values, inline or from its external data file, so the offline merger
/// can stream a model tensor by tensor. (To be replaced by onnx-io's on-demand reader once merged.)
/// </summary>
internal static class InitializerData
{
    public static byte[] ReadBytes(TensorProto tensor, string modelDirectory)
    {
        if (tensor.DataLocation != TensorProto.Types.DataLocation.External)
        {
            if (!tensor.RawData.IsEmpty) return tensor.RawData.ToByteArray();
            if (tensor.FloatData.Count > 0) return MemoryMarshal.AsBytes(tensor.FloatData.ToArray().AsSpan()).ToArray();
            if (tensor.Int64Data.Count > 0) return MemoryMarshal.AsBytes(tensor.Int64Data.ToArray().AsSpan()).ToArray();
            if (tensor.Int32Data.Count > 0) return MemoryMarshal.AsBytes(tensor.Int32Data.ToArray().AsSpan()).ToArray();
            return Array.Empty<byte>();
        }
        string Entry(string key) => tensor.ExternalData.FirstOrDefault(e => e.Key == key)?.Value ?? "";
        string file = Path.Combine(modelDirectory, Entry("location"));
        long offset = long.TryParse(Entry("offset"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var o) ? o : 0;
        long length = long.TryParse(Entry("length"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l
            : OnnxDataTypeExtensions.ElementCount(tensor.Dims.ToArray()) * ((OnnxDataType)tensor.DataType).SizeInBytes();
        using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (offset < 0 || length < 0 || offset + length > RandomAccess.GetLength(handle))
            throw new InvalidDataException($"Initializer '{tensor.Name}' points past the end of '{file}'.");
        var bytes = new byte[length];
        RandomAccess.Read(handle, bytes, offset);
        return bytes;
    }
}
