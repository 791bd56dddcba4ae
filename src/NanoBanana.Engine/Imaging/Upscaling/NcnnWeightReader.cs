using System.Buffers.Binary;

namespace NanoBanana.Imaging.Upscaling;

/// <summary>
/// Reads an ncnn <c>.bin</c> in layer order. Convolution weights start with a 4-byte tag (0x01306B47 = fp16,
/// padded to 4 bytes; 0 = fp32); biases and PReLU slopes are raw fp32 without a tag.
/// </summary>
internal sealed class NcnnWeightReader(byte[] data, string sourceName)
{
    private const uint Float16Tag = 0x01306B47;
    private int _position;

    public float[] ReadTagged(int count, NcnnLayer layer)
    {
        uint tag = BinaryPrimitives.ReadUInt32LittleEndian(Take(4, layer));
        switch (tag)
        {
            case 0:
                return ReadRaw(count, layer);
            case Float16Tag:
                var halves = Take((long)count * 2, layer);
                Take((4 - count * 2L % 4) % 4, layer); // fp16 data is padded to a 4-byte boundary
                var values = new float[count];
                for (int i = 0; i < count; i++) values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(halves[(i * 2)..]);
                return values;
            default:
                throw new NcnnFormatException($"'{sourceName}': {layer.Describe} has weight tag 0x{tag:X8}; only fp32 (0) and fp16 (0x01306B47) weights are supported (int8-quantised models are not).");
        }
    }

    public float[] ReadRaw(int count, NcnnLayer layer)
    {
        var bytes = Take((long)count * 4, layer);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]);
        return values;
    }

    /// <summary>Every byte must belong to a layer: extra bytes mean the .bin and .param do not match.</summary>
    public void RequireEnd()
    {
        if (_position != data.Length)
            throw new NcnnFormatException($"'{sourceName}' has {data.Length - _position} bytes after the last layer's weights: it does not belong to this .param file.");
    }

    /// <summary>The next <paramref name="count"/> bytes, checked in long so a huge count cannot wrap past the end.</summary>
    private ReadOnlySpan<byte> Take(long count, NcnnLayer layer)
    {
        if (count < 0 || count > data.Length - _position)
            throw new NcnnFormatException($"'{sourceName}' ends inside the weights of {layer.Describe}: {count - (data.Length - _position)} more bytes are needed. The .bin is truncated or belongs to another .param file.");
        var span = data.AsSpan(_position, (int)count);
        _position += (int)count;
        return span;
    }
}
