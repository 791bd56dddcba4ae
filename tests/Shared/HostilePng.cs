using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
namespace NanoBanana.Tests.Shared;

/// <summary>Hand-built PNGs: any declared size (huge ones with a few bytes of image data, so nothing large is on disk)
/// and any text chunk. Self-contained (its own CRC), so both test projects compile this one file.</summary>
internal static class HostilePng
{
    public static byte[] Create(int width, int height, string? parameters = null)
    {
        var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // RGB
        Chunk(png, "IHDR", header);
        if (parameters is not null) Chunk(png, "tEXt", [.. Encoding.Latin1.GetBytes("parameters"), 0, .. Encoding.Latin1.GetBytes(parameters)]);
        var data = new MemoryStream();
        // Small images are complete (black); huge ones carry one row, enough for a header read and far less than their size.
        long complete = (1 + 3L * width) * height;
        using (var zlib = new ZLibStream(data, CompressionLevel.Fastest, leaveOpen: true))
            zlib.Write(new byte[complete <= 1 << 20 ? complete : 1 + 3 * Math.Min(width, 4096)]);
        Chunk(png, "IDAT", data.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    static void Chunk(Stream png, string type, byte[] data)
    {
        var prefix = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(prefix, data.Length);
        Encoding.ASCII.GetBytes(type, prefix.AsSpan(4));
        png.Write(prefix);
        png.Write(data);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc(prefix.AsSpan(4), data));
        png.Write(crc);
    }

    /// <summary>PNG's CRC-32 (polynomial 0xEDB88320), bit by bit: fixtures are small.</summary>
    static uint Crc(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var part in new[] { type.ToArray(), data.ToArray() })
            foreach (byte b in part)
            {
                crc ^= b;
                for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
            }
        return ~crc;
    }
}
