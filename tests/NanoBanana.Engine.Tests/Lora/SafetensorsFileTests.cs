using System.Buffers.Binary;
using System.Text;
using NanoBanana.Lora;

namespace NanoBanana.Engine.Tests.Lora;

public class SafetensorsFileTests
{
    private static void WriteRaw(string path, string json, byte[] data, ulong? claimedHeaderLength = null)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var prefix = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, claimedHeaderLength ?? (ulong)header.Length);
        File.WriteAllBytes(path, prefix.Concat(header).Concat(data).ToArray());
    }

    [Fact]
    public void RoundTripsTensorsAndMetadata()
    {
        using var dir = new TempFolder();
        SafetensorsWriter.Write(dir.File("a.safetensors"), new (string, long[], float[])[]
        {
            ("x.lora_down.weight", new long[] { 2, 3 }, new float[] { 1, 2, 3, 4, 5, 6 }),
            ("x.alpha", Array.Empty<long>(), new float[] { 8 }),
        }, new Dictionary<string, string> { ["ss_network_dim"] = "2" });
        using var file = SafetensorsFile.Open(dir.File("a.safetensors"));
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, file.ReadFloats("x.lora_down.weight"));
        Assert.Equal(new long[] { 2, 3 }, file.Tensors["x.lora_down.weight"].Shape);
        Assert.Equal(new float[] { 8 }, file.ReadFloats("x.alpha"));
        Assert.Equal("2", file.Metadata["ss_network_dim"]);
    }

    [Fact]
    public void WidensF16AndBF16()
    {
        using var dir = new TempFolder();
        var data = new byte[8];
        BinaryPrimitives.WriteHalfLittleEndian(data, (Half)1.5f);
        BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(2), (Half)(-2f));
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(4), (ushort)(BitConverter.SingleToInt32Bits(0.75f) >> 16));
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(6), (ushort)(BitConverter.SingleToInt32Bits(-3f) >> 16));
        WriteRaw(dir.File("h.safetensors"),
            "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]}}", data);
        using var file = SafetensorsFile.Open(dir.File("h.safetensors"));
        Assert.Equal(new[] { 1.5f, -2f }, file.ReadFloats("h"));
        Assert.Equal(new[] { 0.75f, -3f }, file.ReadFloats("b"));
    }

    [Fact]
    public void TruncatedFileIsRejectedWithItsName()
    {
        using var dir = new TempFolder();
        SafetensorsWriter.Write(dir.File("t.safetensors"), new (string, long[], float[])[] { ("w", new long[] { 64 }, new float[64]) });
        var bytes = File.ReadAllBytes(dir.File("t.safetensors"));
        File.WriteAllBytes(dir.File("t.safetensors"), bytes[..^100]);
        var ex = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(dir.File("t.safetensors")));
        Assert.Contains("t.safetensors", ex.Message);
        Assert.Contains("'w'", ex.Message);
        Assert.Contains("Re-download", ex.Message);
    }

    [Fact]
    public void OversizedHeaderIsRejectedBeforeAllocating()
    {
        using var dir = new TempFolder();
        WriteRaw(dir.File("o.safetensors"), "{}", Array.Empty<byte>(), claimedHeaderLength: ulong.MaxValue - 7);
        var ex = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(dir.File("o.safetensors")));
        Assert.Contains("limit", ex.Message);
        WriteRaw(dir.File("p.safetensors"), "{}", Array.Empty<byte>(), claimedHeaderLength: 1000);
        ex = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(dir.File("p.safetensors")));
        Assert.Contains("truncated", ex.Message);
    }

    [Fact]
    public void UnsupportedDtypeNamesTheTensor()
    {
        using var dir = new TempFolder();
        WriteRaw(dir.File("d.safetensors"), "{\"blocks.lora_up.weight\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]);
        var ex = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(dir.File("d.safetensors")));
        Assert.Contains("blocks.lora_up.weight", ex.Message);
        Assert.Contains("I64", ex.Message);
    }

    [Theory]
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "12 bytes")]          // shape × dtype ≠ byte length
    [InlineData("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", "outside")]           // past the data section
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "overlap")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("{\"w\":{\"dtype\":\"F32\"}}", "needs 'dtype'")]
    public void MalformedHeadersGiveClearErrors(string json, string expected)
    {
        using var dir = new TempFolder();
        WriteRaw(dir.File("m.safetensors"), json, new byte[8]);
        var ex = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(dir.File("m.safetensors")));
        Assert.Contains(expected, ex.Message);
        Assert.Contains("m.safetensors", ex.Message);
    }

    [Fact]
    public void WrongLoraShapesAreRejectedWithBothKeys()
    {
        using var dir = new TempFolder();
        SafetensorsWriter.Write(dir.File("s.safetensors"), new (string, long[], float[])[]
        {
            ("lora_unet_x.lora_down.weight", new long[] { 4, 8 }, new float[32]),
            ("lora_unet_x.lora_up.weight", new long[] { 8, 2 }, new float[16]),
        });
        var ex = Assert.Throws<InvalidDataException>(() => LoraAdapter.Load(dir.File("s.safetensors")));
        Assert.Contains("lora_unet_x.lora_down.weight", ex.Message);
        Assert.Contains("[8,2]", ex.Message);
    }
}
