using NanoBanana.Imaging.Upscaling;

namespace NanoBanana.Engine.Tests.Upscaling;

/// <summary>Bad ncnn input: each case gives an error naming the file or the layer, never a crash.</summary>
public class NcnnValidationTests
{
    private const string Header = "7767517\n";

    private static byte[] ConvWeights(int count, bool withBias, int outputs) =>
        new byte[4 + count * 4 + (withBias ? outputs * 4 : 0)];

    private static NcnnFormatException Convert(string param, byte[] bin) =>
        Assert.Throws<NcnnFormatException>(() => NcnnToOnnxConverter.Convert(NcnnParam.Parse(param, "test.param"), bin, "test.bin", "test"));

    private const string OneConv = Header + "2 2\nInput in 0 1 data\nConvolution conv 1 1 data out 0=3 1=3 4=1 5=1 6=81\n";

    [Fact]
    public void AValidTinyModelConverts()
    {
        var model = NcnnToOnnxConverter.Convert(NcnnParam.Parse(OneConv, "test.param"), ConvWeights(81, true, 3), "test.bin", "test");
        Assert.Equal("output", model.Graph.Output.Single().Name);
    }

    [Fact]
    public void BadMagicIsRefused() =>
        Assert.Contains("magic", Assert.Throws<NcnnFormatException>(() => NcnnParam.Parse("123\n1 1\n", "x.param")).Message);

    [Fact]
    public void UnknownLayerTypeNamesTheLayer()
    {
        var error = Convert(Header + "2 2\nInput in 0 1 data\nSoftmax sm 1 1 data out\n", Array.Empty<byte>());
        Assert.Contains("'sm'", error.Message);
        Assert.Contains("Softmax", error.Message);
    }

    [Fact]
    public void BlobCountMismatchIsRefused() =>
        Assert.Contains("declares 5 blobs", Assert.Throws<NcnnFormatException>(() => NcnnParam.Parse(OneConv.Replace("2 2\n", "2 5\n"), "x.param")).Message);

    [Fact]
    public void UndefinedBlobIsNamed() =>
        Assert.Contains("'ghost'", Assert.Throws<NcnnFormatException>(() => NcnnParam.Parse(OneConv.Replace("1 1 data out", "1 1 ghost out"), "x.param")).Message);

    [Fact]
    public void ShortBinNamesTheLayerItEndsIn()
    {
        var error = Convert(OneConv, new byte[40]);
        Assert.Contains("'conv'", error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void LongBinIsRefused() =>
        Assert.Contains("after the last layer", Convert(OneConv, ConvWeights(81, true, 3).Concat(new byte[8]).ToArray()).Message);

    [Fact]
    public void Int8WeightsAreRefusedByTag()
    {
        var bin = ConvWeights(81, true, 3);
        bin[0] = 0x38; bin[1] = 0x4B; bin[2] = 0x0D; // 0x000D4B38, ncnn's int8 tag
        Assert.Contains("int8", Convert(OneConv, bin).Message);
    }

    [Fact]
    public void Fp16WeightsAreRead()
    {
        var bin = new byte[4 + 81 * 2 + 2 + 3 * 4]; // fp16 tag, 81 halves padded to 4 bytes, fp32 bias
        BitConverter.GetBytes(0x01306B47u).CopyTo(bin, 0);
        BitConverter.GetBytes((Half)0.5f).CopyTo(bin, 4);
        var model = NcnnToOnnxConverter.Convert(NcnnParam.Parse(OneConv, "test.param"), bin, "test.bin", "test");
        var weight = model.Graph.Initializer.Single(t => t.Name == "conv.weight");
        Assert.Equal(0.5f, BitConverter.ToSingle(weight.RawData.Span[..4]));
    }
}
