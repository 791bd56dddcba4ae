using System.Runtime.InteropServices;
using System.Security.Cryptography;
using NanoBanana.Schedulers;

namespace NanoBanana.Engine.Tests.Schedulers;

/// <summary>
/// Reference values produced by Debian python3-torch 1.13.1 (AVX2 kernel) with
/// <c>torch.randn(shape, generator=torch.Generator("cpu").manual_seed(seed), dtype=torch.float32)</c>:
/// raw float bits of the first and last 16 values and SHA-256 of all values as little-endian float32.
/// </summary>
public class TorchRandomTests
{
    static int[] Shape(string s) => s.Split(',').Select(int.Parse).ToArray();

    static string Sha256(float[] values) =>
        Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(values.AsSpan())));

    static uint[] Bits(ReadOnlySpan<float> values)
    {
        var bits = new uint[values.Length];
        for (int i = 0; i < values.Length; i++) bits[i] = BitConverter.SingleToUInt32Bits(values[i]);
        return bits;
    }

    [Theory]
    [InlineData(0, "1,4,128,128", "33e5e1492edd7110d7f1a65492cbc485924cb2dc9343099bd01121af5e47a0e7", new uint[] {0xBF901B85,0xBF93808A,0xBE804BD6,0xBEDE255D,0x3F594515,0x3F312783,0xBEA1CC6D,0xC0075FC1,0x3EA50138,0xBFA1B4F4,0x3EB330FF,0x3E9DC3BB,0x3DF56F77,0x3F9E6B93,0x3F8EF28E,0xBE7D367C}, new uint[] {0xBF8FFD98,0x3FC46BE7,0xBE71572E,0xBEC4219C,0x3F6BB9B1,0x3F8ADCC4,0xBF1E0727,0xBEA5E6E4,0xBF682114,0xBB57A24D,0xBF2569AC,0x3F237123,0x3F68097C,0x3E0E4530,0x3E8611DA,0xBFBA9953})]
    [InlineData(0, "1,4,64,64", "24efac55b39e95b2d74d8fb5b3a8e8a8e808bd04129f260c4cdbb225bb952a4d", new uint[] {0xBF901B85,0xBF93808A,0xBE804BD6,0xBEDE255D,0x3F594515,0x3F312783,0xBEA1CC6D,0xC0075FC1,0x3EA50138,0xBFA1B4F4,0x3EB330FF,0x3E9DC3BB,0x3DF56F77,0x3F9E6B93,0x3F8EF28E,0xBE7D367C}, new uint[] {0xBEB8654D,0xBF604C05,0x3EF50639,0xBF26EB2D,0xBE5E0CD2,0x3ECE0395,0x400E9999,0x3F58CED3,0x3EB0A381,0xBFCCB00F,0xBF488E38,0x3E734E56,0xBF85361E,0x3DB9ECE6,0xBFAEE87B,0xBF8A02B8})]
    [InlineData(0, "2,4,8,8", "be6c6e802815e1a4ac95cdbe2148abbccc0800435418db517647db901e76911e", new uint[] {0xBF901B85,0xBF93808A,0xBE804BD6,0xBEDE255D,0x3F594515,0x3F312783,0xBEA1CC6D,0xC0075FC1,0x3EA50138,0xBFA1B4F4,0x3EB330FF,0x3E9DC3BB,0x3DF56F77,0x3F9E6B93,0x3F8EF28E,0xBE7D367C}, new uint[] {0x3EBA7C59,0x3DB47FA1,0xBFA748DD,0xBF34D493,0xBE28284A,0xBF78B224,0xBF83F2B2,0x3F25B417,0xBE433090,0x3F377670,0xC000031A,0xC01A37D6,0x3E60B063,0xBFD97443,0x3FA79B35,0xBFD4A54F})]
    [InlineData(0, "3", "1f113a802685b952ebcb6b03d5b1300a5d39021bff43a871c356f57b66b6c96c", new uint[] {0x3FC53F5C,0xBE963C50,0xC00B7149}, new uint[] {0x3FC53F5C,0xBE963C50,0xC00B7149})]
    [InlineData(42, "1,4,128,128", "23c72e908d9e3fbe50836a02f09ccde0acfcf28c00dec75b986c49dadf0c115e", new uint[] {0x3FF6A529,0x3FBE5F53,0x3F669567,0xC006C0DB,0x3F2DACD5,0xBF9E0591,0xBD306786,0xBFCD65BA,0xBF408BF0,0x3FD3095B,0xBEC8F2F6,0xBFB3A966,0xBF3A566E,0xBF0F36D1,0xBF44D2A0,0x3F432F9F}, new uint[] {0xBED8D9B4,0xBD4177F1,0x3E2EB398,0xBF843C61,0xBEAACABC,0xBF4D421B,0xBE53FCD2,0xBFA95E86,0xBFB78BCD,0xBF6E72DF,0xBE82D503,0x3E4C4E0A,0xBF3E3119,0x3F385EE3,0xBED8C0C1,0x3FCF8D24})]
    [InlineData(42, "1,4,64,64", "e97f3de04c7c6ba86354db4402b91d4402ede9c72aabed29a96dd7d635a798ba", new uint[] {0x3FF6A529,0x3FBE5F53,0x3F669567,0xC006C0DB,0x3F2DACD5,0xBF9E0591,0xBD306786,0xBFCD65BA,0xBF408BF0,0x3FD3095B,0xBEC8F2F6,0xBFB3A966,0xBF3A566E,0xBF0F36D1,0xBF44D2A0,0x3F432F9F}, new uint[] {0x3F9EE61F,0xBFB7512E,0xBF0AC927,0x3E627327,0xBFA7BBF1,0xBF4CD3A0,0x3F88D478,0x3FC6DF04,0x3FFDF5E6,0xBF0DE3E6,0x3EDBB796,0x3D927FDC,0xBF4FA71F,0xBF22C08B,0x3F790A0F,0xBE963953})]
    [InlineData(42, "2,4,8,8", "82cce5ef58f63e49f105eec3ac633929f0ccfed0af3d80fb9f863b35b8f996b8", new uint[] {0x3FF6A529,0x3FBE5F53,0x3F669567,0xC006C0DB,0x3F2DACD5,0xBF9E0591,0xBD306786,0xBFCD65BA,0xBF408BF0,0x3FD3095B,0xBEC8F2F6,0xBFB3A966,0xBF3A566E,0xBF0F36D1,0xBF44D2A0,0x3F432F9F}, new uint[] {0x3F970857,0xBEA9B0E8,0x3F2645E9,0x3DC2799C,0xBF40A992,0xBF25B0DA,0xBFA42125,0x3FFB8EB2,0xBF76BEC7,0xC024465B,0x3F35A930,0x3F51E136,0x3F1F1715,0x3ED8ABD2,0xBEAD8415,0x3F0499E7})]
    [InlineData(42, "3", "1027da7e4b73a8a7f0431af4b65496918bd62abe96039b05d775289adb09ff01", new uint[] {0x3EAC62AE,0x3E03E69D,0x3E7016E7}, new uint[] {0x3EAC62AE,0x3E03E69D,0x3E7016E7})]
    [InlineData(12345, "1,4,128,128", "37c295518928febc8c03c56e326fd6ede36bc86decfbe28628691b1e9f497f24", new uint[] {0xBFBD6A57,0x3EF9802C,0xC040D19D,0x3EE340FD,0x3EB831F7,0xBC4A4FD0,0x3E5FC459,0xBFA40728,0x401A5108,0x3FFFE36D,0x3F48E7B7,0xBF827E08,0xBE57A12E,0x3F20787C,0x3F6E87FE,0x3E3F3CA2}, new uint[] {0xBC999736,0x3F81BFC1,0x3F3B4928,0xBFBC2E9D,0xBF32C209,0xBEDC25EC,0x3F684604,0xBFDE2BA0,0x3F1E6B4D,0xBF86DA23,0x3E85DB5F,0xBF20B538,0x3EA95E78,0x3F9B8941,0xBF42E0AD,0x3E8D5D54})]
    [InlineData(12345, "1,4,64,64", "fe96eed0ac48fb977a5ed7ea6b2f0942949c928694e95b9132ec2fd612b8aebf", new uint[] {0xBFBD6A57,0x3EF9802C,0xC040D19D,0x3EE340FD,0x3EB831F7,0xBC4A4FD0,0x3E5FC459,0xBFA40728,0x401A5108,0x3FFFE36D,0x3F48E7B7,0xBF827E08,0xBE57A12E,0x3F20787C,0x3F6E87FE,0x3E3F3CA2}, new uint[] {0xBEDC25E2,0x3F00D3F5,0xBEFC6423,0x3F843AF6,0xBF24FAA5,0x3F1A574A,0x3F251C41,0xBFBDF098,0xBDC3C903,0xBED5D427,0x4005C554,0x400653D7,0xBEA019FA,0xBF0BD1F6,0xBFAC7B68,0x3FDE9288})]
    [InlineData(12345, "2,4,8,8", "4fa5aec1d794d5f14ea3b99fb35893a0a0d0fe618e72d67a5b8e64d9bd35c3d6", new uint[] {0xBFBD6A57,0x3EF9802C,0xC040D19D,0x3EE340FD,0x3EB831F7,0xBC4A4FD0,0x3E5FC459,0xBFA40728,0x401A5108,0x3FFFE36D,0x3F48E7B7,0xBF827E08,0xBE57A12E,0x3F20787C,0x3F6E87FE,0x3E3F3CA2}, new uint[] {0x3F172A80,0x3E0C0B56,0xBEA57842,0xBFD3E263,0xBDA88493,0xBF65B0E2,0xBE9989A9,0xBEA1F061,0xBF27924B,0xBF4AF27F,0xBFCA05CB,0x3F038545,0xBFB95CCC,0xBEC8830C,0x3F4B6871,0x3F61500E})]
    [InlineData(12345, "3", "4b1a7a68cba93bcd14f743bb2bd8bdfc663e21c2a498e07d3a669d68d98e6539", new uint[] {0x3FB6AC36,0xBFEF5F15,0xBF991D6C}, new uint[] {0x3FB6AC36,0xBFEF5F15,0xBF991D6C})]
    public void RandnMatchesTorchBitForBit(long seed, string shape, string sha256, uint[] first16, uint[] last16)
    {
        float[] values = new TorchRandom(seed).Randn(Shape(shape));

        Assert.Equal(first16.Take(Math.Min(16, values.Length)), Bits(values.AsSpan(0, Math.Min(16, values.Length))));
        Assert.Equal(last16.TakeLast(Math.Min(16, values.Length)), Bits(values.AsSpan(Math.Max(0, values.Length - 16))));
        Assert.Equal(sha256, Sha256(values));
    }

    /// <summary>Consecutive calls on one generator (stream continuation, the double-path cache,
    /// odd sizes with the 16-value tail redraw) and seed aliasing (negative, ≥ 2^32).</summary>
    [Theory]
    [InlineData(-1L, new[] {"17", "5", "100"}, new[] {"65d795b9ee9e999e7276c85f6204cda317d86933411cba0224e4180217f01516", "3a739810445d501303ec7cbba6351bda99874994a75f6047c81a11b0c71443fb", "16824665d7c014495c518bb48c78e96c631faa9a8fbc1f7f35d7377f427e5008"})]
    [InlineData(4294967338L, new[] {"1,4,8,8"}, new[] {"9ff459eefd9169b11138967326b63683050096a4f7b9df76ecb1bb893ad4c84f"})]
    [InlineData(7L, new[] {"3", "1", "15", "16", "31"}, new[] {"dee00cb66e148bb0b44b8eb4f381cd76080eb4ef988dba7adab79f213056450e", "da561ab2dd4fa49eadd3286a7e1918f5e7147bbf8b5de1952946fe5de2139085", "895dffbef95bffb891e13953c7a7044b29c5e8b08bb92d17591fd8a8490357fc", "4e6dbefb3fc9e72ba83cd592b1d0b4dd7959ae6198f744a9f0fd68c445faab51", "3bd3b326b499e5308a5f5ff00cc807af8ab4f399c69190096f65a8699600048f"})]
    [InlineData(9223372036854775807L, new[] {"2,3"}, new[] {"be944f5ca3f9fa6bf67523ab7dce90bc8143891f57d4affcaf5202196298ac3f"})]
    [InlineData(123L, new[] {"1,4,64,64", "1,4,64,64", "1,4,64,64"}, new[] {"eab9e75f4c0e863e86a6ebfa63bc54ba58af6fc05fff591e55aa98dad6f54f45", "2acc2d5449014a1883c0ddf0f745aa5d874b2e5001610c0f7ab27f37ab1f8b8e", "8e92de9ccfdb6f4a2ded4e9c9214e3a1988e905c6bf4cc8a5f55eded2d1e64b3"})]
    public void ConsecutiveCallsMatchTorch(long seed, string[] shapes, string[] sha256)
    {
        var random = new TorchRandom(seed);
        for (int i = 0; i < shapes.Length; i++)
            Assert.Equal(sha256[i], Sha256(random.Randn(Shape(shapes[i]))));
    }

    [Fact]
    public void SeedsAliasOnTheirLow32Bits()
    {
        Assert.Equal(new TorchRandom(42).Randn([64]), new TorchRandom((1L << 32) + 42).Randn([64]));
        Assert.Equal(new TorchRandom(-1).Randn([64]), new TorchRandom(uint.MaxValue).Randn([64]));
    }

    [Fact]
    public void LatentNoiseIsOneRandnOfTheBatchShape()
    {
        float[] batch = LatentNoise.Create(12345, 2, 4, 8, 8);
        float[] direct = new TorchRandom(12345).Randn([2, 4, 8, 8]);
        Assert.Equal(direct, batch);
        // The first image of a batch equals a batch of one (same stream prefix, multiple of 16).
        Assert.Equal(LatentNoise.Create(12345, 1, 4, 8, 8), batch.Take(256));
    }

    [Fact]
    public void NewRandomSeedIsANonNegative32BitValue()
    {
        for (int i = 0; i < 100; i++)
        {
            long seed = TorchRandom.NewRandomSeed();
            Assert.InRange(seed, 0, uint.MaxValue - 1);
        }
    }
}
