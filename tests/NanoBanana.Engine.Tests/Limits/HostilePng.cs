using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using NanoBanana.Imaging;

namespace NanoBanana.Engine.Tests.Limits;

/// <summary>Hand-built PNGs: any declared size (with a few bytes of image data, so nothing large is on disk) and any text chunk.</summary>
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
        using (var zlib = new ZLibStream(data, CompressionLevel.Fastest, leaveOpen: true)) zlib.Write(new byte[1 + 3 * Math.Min(width, 4096)]);
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
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.Compute(prefix.AsSpan(4), data));
        png.Write(crc);
    }
}
