using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using NanoBanana.Limits;

namespace NanoBanana.Imaging;

/// <summary>
/// Reads and inserts PNG text chunks (tEXt, zTXt, iTXt). Reading walks the chunk list with every length
/// checked against the data, so a damaged file yields no text rather than an exception or a huge allocation;
/// text longer than <see cref="InputLimits.MaxMetadataTextBytes"/> (stored or inflated) is not read either.
/// </summary>
public static class PngTextChunks
{
    private static readonly byte[] Signature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };
    private static readonly Encoding Latin1 = Encoding.Latin1;

    public static bool IsPng(ReadOnlySpan<byte> data) => data.StartsWith(Signature);

    /// <summary>The text of the first text chunk with this keyword, or null.</summary>
    public static string? Read(ReadOnlySpan<byte> png, string keyword)
    {
        if (!IsPng(png)) return null;
        int offset = Signature.Length;
        while (offset + 12 <= png.Length)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png[offset..]);
            if (length > (uint)(png.Length - offset - 12)) return null;
            var type = png.Slice(offset + 4, 4);
            var data = png.Slice(offset + 8, (int)length);
            string? text = type.SequenceEqual("tEXt"u8) ? ReadText(data, keyword)
                : type.SequenceEqual("zTXt"u8) ? ReadCompressedText(data, keyword)
                : type.SequenceEqual("iTXt"u8) ? ReadInternationalText(data, keyword)
                : null;
            if (text is not null) return text;
            if (type.SequenceEqual("IEND"u8)) return null;
            offset += 12 + (int)length;
        }
        return null;
    }

    /// <summary>
    /// A copy of <paramref name="png"/> with a text chunk inserted right after IHDR, as Pillow writes them:
    /// tEXt when the text is Latin-1, otherwise an uncompressed UTF-8 iTXt.
    /// </summary>
    public static byte[] Insert(ReadOnlySpan<byte> png, string keyword, string text)
    {
        if (!IsPng(png) || png.Length < 33 || !png.Slice(12, 4).SequenceEqual("IHDR"u8))
            throw new ArgumentException("Not a PNG stream starting with IHDR.", nameof(png));
        bool latin1 = text.All(c => c <= '\u00FF');
        var body = new List<byte>(Latin1.GetBytes(keyword)) { 0 };
        if (!latin1) body.AddRange(new byte[] { 0, 0, 0, 0 }); // uncompressed; no language tag or translated keyword
        body.AddRange(latin1 ? Latin1.GetBytes(text) : Encoding.UTF8.GetBytes(text));
        byte[] chunk = MakeChunk(latin1 ? "tEXt"u8 : "iTXt"u8, body.ToArray());

        const int afterIhdr = 8 + 12 + 13;
        var result = new byte[png.Length + chunk.Length];
        png[..afterIhdr].CopyTo(result);
        chunk.CopyTo(result, afterIhdr);
        png[afterIhdr..].CopyTo(result.AsSpan(afterIhdr + chunk.Length));
        return result;
    }

    private static byte[] MakeChunk(ReadOnlySpan<byte> type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        type.CopyTo(chunk.AsSpan(4));
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32.Compute(type, data));
        return chunk;
    }

    private static bool TrySplitKeyword(ReadOnlySpan<byte> data, string keyword, out ReadOnlySpan<byte> rest)
    {
        int zero = data.IndexOf((byte)0);
        rest = zero < 0 ? default : data[(zero + 1)..];
        return zero >= 0 && Latin1.GetString(data[..zero]) == keyword;
    }

    private static string? ReadText(ReadOnlySpan<byte> data, string keyword) =>
        TrySplitKeyword(data, keyword, out var rest) && rest.Length <= InputLimits.MaxMetadataTextBytes ? Latin1.GetString(rest) : null;

    private static string? ReadCompressedText(ReadOnlySpan<byte> data, string keyword) =>
        TrySplitKeyword(data, keyword, out var rest) && rest.Length >= 1 && rest[0] == 0 ? Inflate(rest[1..], Latin1) : null;

    private static string? ReadInternationalText(ReadOnlySpan<byte> data, string keyword)
    {
        if (!TrySplitKeyword(data, keyword, out var rest) || rest.Length < 2) return null;
        bool compressed = rest[0] == 1;
        rest = rest[2..];
        for (int field = 0; field < 2; field++) // language tag, translated keyword
        {
            int zero = rest.IndexOf((byte)0);
            if (zero < 0) return null;
            rest = rest[(zero + 1)..];
        }
        return compressed ? Inflate(rest, Encoding.UTF8)
            : rest.Length <= InputLimits.MaxMetadataTextBytes ? Encoding.UTF8.GetString(rest) : null;
    }

    private static string? Inflate(ReadOnlySpan<byte> compressed, Encoding encoding)
    {
        try
        {
            using var input = new MemoryStream(compressed.ToArray());
            using var zlib = new ZLibStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            // Text metadata is small; refuse decompression bombs.
            var buffer = new byte[81920];
            int read;
            while ((read = zlib.Read(buffer)) > 0)
            {
                if (output.Length + read > InputLimits.MaxMetadataTextBytes) return null;
                output.Write(buffer, 0, read);
            }
            return encoding.GetString(output.ToArray());
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }
}
