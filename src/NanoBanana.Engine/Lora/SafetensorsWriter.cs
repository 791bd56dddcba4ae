using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using NanoBanana.Imaging;

namespace NanoBanana.Lora;

/// <summary>Writes F32 .safetensors files (synthetic LoRAs for tests and users' experiments), atomically.</summary>
public static class SafetensorsWriter
{
    public static void Write(string path, IReadOnlyList<(string Name, long[] Shape, float[] Values)> tensors, IReadOnlyDictionary<string, string>? metadata = null,
        bool overwrite = true)
    {
        var header = new Dictionary<string, object>(StringComparer.Ordinal);
        if (metadata is { Count: > 0 }) header["__metadata__"] = metadata;
        long offset = 0;
        foreach (var (name, shape, values) in tensors)
        {
            long count = shape.Aggregate(1L, (a, d) => a * d);
            if (count != values.Length)
                throw new ArgumentException($"Tensor '{name}' has {values.Length} values but shape [{string.Join(",", shape)}].");
            header[name] = new { dtype = "F32", shape, data_offsets = new[] { offset, offset + count * 4 } };
            offset += count * 4;
        }
        byte[] json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        // The format recommends padding the header with spaces to an 8-byte boundary so data is aligned.
        int padded = (json.Length + 7) / 8 * 8;

        using var stream = new MemoryStream();
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)padded);
        stream.Write(prefix);
        stream.Write(json);
        for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        var buffer = new byte[4];
        foreach (var (_, _, values) in tensors)
            foreach (float v in values)
            {
                BinaryPrimitives.WriteSingleLittleEndian(buffer, v);
                stream.Write(buffer);
            }
        Imaging.AtomicFileWriter.Write(path, stream.GetBuffer().AsSpan(0, (int)stream.Length), overwrite);
    }
}
