using NanoBanana.Limits;

namespace NanoBanana.Onnx;

/// <summary>
/// Counts the repeated fields of an ONNX file's main graph (nodes, initializers, inputs, outputs, value_info) by
/// walking the protobuf's wire format, before it is parsed: the parser materialises every entry, so 100 MB of
/// empty nodes (50 million objects) would take tens of GB. The walk reads field headers and skips payloads, in
/// constant memory; counts over <see cref="InputLimits"/> are refused by name.
/// </summary>
internal static class OnnxGraphCensus
{
    const int GraphField = 7; // ModelProto.graph
    const int NodeField = 1, InitializerField = 5, InputField = 11, OutputField = 12, ValueInfoField = 13;
    const int LengthDelimited = 2;

    public static void Check(Stream stream, string sourceName)
    {
        long start = stream.Position, end = stream.Length;
        var reader = new WireReader(stream, sourceName);
        while (stream.Position < end)
        {
            var (field, wireType) = reader.Tag();
            if (field == GraphField && wireType == LengthDelimited)
            {
                long length = reader.Length(end); // read before taking the position: the varint moves it
                CheckGraph(reader, stream, stream.Position + length, sourceName);
            }
            else reader.Skip(wireType, end);
        }
        stream.Position = start;
    }

    static void CheckGraph(WireReader reader, Stream stream, long graphEnd, string sourceName)
    {
        var counts = new long[ValueInfoField + 1];
        while (stream.Position < graphEnd)
        {
            var (field, wireType) = reader.Tag();
            if (field is NodeField or InitializerField or InputField or OutputField or ValueInfoField && wireType == LengthDelimited)
            {
                long count = ++counts[field], limit = field == NodeField ? InputLimits.MaxOnnxNodes : InputLimits.MaxOnnxGraphEntries;
                if (count > limit) // compared first: the message is built once, not per entry
                    InputLimits.Check(sourceName, $"the graph's {Name(field)} count", count, limit,
                        "No diffusion or upscaling model has this many; the file is damaged or not a model. Re-export it.");
            }
            reader.Skip(wireType, graphEnd);
        }
    }

    static string Name(int field) => field switch
    {
        NodeField => "node",
        InitializerField => "initializer",
        InputField => "input",
        OutputField => "output",
        _ => "value_info",
    };

    /// <summary>Protobuf wire-format primitives over a seekable stream; any malformation is an <see cref="InvalidDataException"/>.</summary>
    sealed class WireReader(Stream stream, string sourceName)
    {
        public (int Field, int WireType) Tag()
        {
            ulong tag = Varint();
            if (tag >> 3 is 0 or > int.MaxValue) throw Bad("a field number out of range");
            return ((int)(tag >> 3), (int)(tag & 7));
        }

        /// <summary>A length prefix, checked to end within <paramref name="end"/>.</summary>
        public long Length(long end)
        {
            ulong length = Varint();
            if (length > (ulong)(end - stream.Position)) throw Bad("a length running past its end");
            return (long)length;
        }

        public void Skip(int wireType, long end)
        {
            long bytes = wireType switch
            {
                0 => 0,
                1 => 8,
                LengthDelimited => Length(end),
                5 => 4,
                _ => throw Bad($"wire type {wireType}, which ONNX files do not use"),
            };
            if (wireType == 0) Varint();
            if (bytes > end - stream.Position) throw Bad("a field running past its end");
            stream.Seek(bytes, SeekOrigin.Current);
        }

        ulong Varint()
        {
            ulong value = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                int b = stream.ReadByte();
                if (b < 0) throw Bad("a truncated field");
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return value;
            }
            throw Bad("a malformed varint");
        }

        InvalidDataException Bad(string problem) =>
            new($"'{sourceName}' is not a valid ONNX model: it has {problem}. Copy it again from the original export or re-export it.");
    }
}
