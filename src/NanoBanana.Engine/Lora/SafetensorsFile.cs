using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace NanoBanana.Lora;

/// <summary>Element types a LoRA file may store; all are widened to float when read.</summary>
public enum SafetensorsDType { F32, F16, BF16 }

/// <summary>One tensor's header entry. Offsets are absolute file positions (already validated).</summary>
public sealed record SafetensorsTensorInfo(string Name, SafetensorsDType DType, long[] Shape, long Begin, long End)
{
    public long ElementCount => Shape.Aggregate(1L, (a, d) => checked(a * d));
}

/// <summary>
/// Reads a .safetensors file: 8-byte little-endian header length, JSON header, raw data.
/// Only the header is parsed up front; tensors are read on demand, so a multi-GB LoRA costs
/// nothing until a tensor is actually used. Every length is checked against the file size
/// before anything is allocated, so hostile or truncated files fail with a clear message.
/// </summary>
public sealed class SafetensorsFile : IDisposable
{
    // Real headers are a few hundred KB; anything past this is a corrupt or hostile length field.
    public const long MaxHeaderBytes = 100L * 1024 * 1024;
    private readonly SafeFileHandle _handle;

    private SafetensorsFile(string path, SafeFileHandle handle, Dictionary<string, SafetensorsTensorInfo> tensors, Dictionary<string, string> metadata)
    {
        Path = path;
        _handle = handle;
        Tensors = tensors;
        Metadata = metadata;
    }

    public string Path { get; }

    public IReadOnlyDictionary<string, SafetensorsTensorInfo> Tensors { get; }

    /// <summary>The optional <c>__metadata__</c> string map (e.g. PEFT alpha, training settings).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public static SafetensorsFile Open(string path)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            var (tensors, metadata) = ReadHeader(path, handle);
            return new SafetensorsFile(path, handle, tensors, metadata);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static InvalidDataException Bad(string path, string problem) =>
        new($"'{path}' is not a valid .safetensors file: {problem} Re-download or re-export the LoRA.");

    private static (Dictionary<string, SafetensorsTensorInfo>, Dictionary<string, string>) ReadHeader(string path, SafeFileHandle handle)
    {
        long fileLength = RandomAccess.GetLength(handle);
        if (fileLength < 8) throw Bad(path, $"it is {fileLength} bytes long, shorter than the 8-byte header length.");
        Span<byte> prefix = stackalloc byte[8];
        RandomAccess.Read(handle, prefix, 0);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)MaxHeaderBytes)
            throw Bad(path, $"its header claims {headerLength} bytes, more than the {MaxHeaderBytes}-byte limit.");
        if ((long)headerLength > fileLength - 8)
            throw Bad(path, $"its header claims {headerLength} bytes but only {fileLength - 8} follow (truncated file?).");

        var json = new byte[headerLength];
        if (RandomAccess.Read(handle, json, 8) != json.Length) throw Bad(path, "the header could not be read completely.");
        long dataStart = 8 + (long)headerLength;
        long dataLength = fileLength - dataStart;

        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException ex) { throw Bad(path, $"the header is not valid JSON ({ex.Message})."); }
        try
        {
            return ReadEntries(path, doc, dataStart, dataLength);
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json checks a string's UTF-8 only when it is read (a name or a metadata value).
            throw Bad(path, "the header holds text that is not valid UTF-8.");
        }
    }

    private static (Dictionary<string, SafetensorsTensorInfo>, Dictionary<string, string>) ReadEntries(string path, JsonDocument doc, long dataStart, long dataLength)
    {

        var tensors = new Dictionary<string, SafetensorsTensorInfo>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Bad(path, "the header is not a JSON object.");
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                {
                    if (entry.Value.ValueKind != JsonValueKind.Object) throw Bad(path, "__metadata__ is not an object.");
                    foreach (var m in entry.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    continue;
                }
                tensors.Add(entry.Name, ParseTensor(path, entry.Name, entry.Value, dataStart, dataLength));
            }
        }

        // Overlapping ranges mean two tensors alias the same bytes: a corrupt or crafted file.
        var ordered = tensors.Values.Where(t => t.End > t.Begin).OrderBy(t => t.Begin).ToList();
        for (int i = 1; i < ordered.Count; i++)
            if (ordered[i].Begin < ordered[i - 1].End)
                throw Bad(path, $"tensors '{ordered[i - 1].Name}' and '{ordered[i].Name}' overlap.");
        return (tensors, metadata);
    }

    private static SafetensorsTensorInfo ParseTensor(string path, string name, JsonElement e, long dataStart, long dataLength)
    {
        if (e.ValueKind != JsonValueKind.Object
            || !e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String
            || !e.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array
            || !e.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw Bad(path, $"tensor '{name}' needs 'dtype', 'shape' and a two-element 'data_offsets'.");

        SafetensorsDType dtype = dt.GetString() switch
        {
            "F32" => SafetensorsDType.F32,
            "F16" => SafetensorsDType.F16,
            "BF16" => SafetensorsDType.BF16,
            var other => throw new InvalidDataException(
                $"'{path}': tensor '{name}' has dtype {other}; only F32, F16 and BF16 LoRA weights are supported. Convert the LoRA to fp16 or fp32."),
        };

        var shape = new long[sh.GetArrayLength()];
        int i = 0;
        foreach (var d in sh.EnumerateArray())
        {
            if (!d.TryGetInt64(out long v) || v < 0) throw Bad(path, $"tensor '{name}' has an invalid dimension {d.GetRawText()}.");
            shape[i++] = v;
        }
        if (!off[0].TryGetInt64(out long begin) || !off[1].TryGetInt64(out long end) || begin < 0 || end < begin || end > dataLength)
            throw Bad(path, $"tensor '{name}' has data_offsets {off.GetRawText()} outside the {dataLength}-byte data section.");

        long count;
        try { count = shape.Aggregate(1L, (a, d) => checked(a * d)); }
        catch (OverflowException) { throw Bad(path, $"tensor '{name}' has an impossibly large shape."); }
        long expected = count > long.MaxValue / 4 ? long.MaxValue : count * SizeOf(dtype);
        if (expected != end - begin)
            throw Bad(path, $"tensor '{name}' has shape [{string.Join(",", shape)}] {dtype} ({expected} bytes) but {end - begin} bytes of data.");
        return new SafetensorsTensorInfo(name, dtype, shape, dataStart + begin, dataStart + end);
    }

    public static int SizeOf(SafetensorsDType dtype) => dtype == SafetensorsDType.F32 ? 4 : 2;

    /// <summary>Reads one tensor and widens it to float.</summary>
    public float[] ReadFloats(string name)
    {
        if (!Tensors.TryGetValue(name, out var info))
            throw new KeyNotFoundException($"'{Path}' has no tensor '{name}'.");
        if (info.End - info.Begin > Array.MaxLength)
            throw new InvalidDataException($"'{Path}': tensor '{name}' is {info.End - info.Begin} bytes, more than one array can hold; LoRA factors are never this large.");
        var raw = new byte[info.End - info.Begin];
        if (RandomAccess.Read(_handle, raw, info.Begin) != raw.Length)
            throw new InvalidDataException($"'{Path}': tensor '{name}' could not be read completely (file changed or truncated?).");
        var result = new float[info.ElementCount];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = info.DType switch
            {
                SafetensorsDType.F32 => BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(i * 4)),
                SafetensorsDType.F16 => (float)BinaryPrimitives.ReadHalfLittleEndian(raw.AsSpan(i * 2)),
                // bfloat16 is the top half of an IEEE float32.
                _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(i * 2)) << 16),
            };
        }
        return result;
    }

    public void Dispose() => _handle.Dispose();
}
