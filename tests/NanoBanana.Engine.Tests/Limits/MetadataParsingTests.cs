using System.Diagnostics;
using System.Text.RegularExpressions;
using NanoBanana.Imaging;
using NanoBanana.Limits;
using NanoBanana.Tests.Shared;

namespace NanoBanana.Engine.Tests.Limits;

/// <summary>Issue 16: a PNG's parameters text could hang every image cmdlet (A1111's regex backtracked quadratically).</summary>
public sealed class MetadataParsingTests(Xunit.Abstractions.ITestOutputHelper output)
{
    // A1111's own pattern: the reference the linear scanner must agree with (with a timeout: the test's inputs are short).
    static readonly Regex Reference = new("""\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)""", RegexOptions.None, TimeSpan.FromSeconds(5));

    [Theory]
    [InlineData(200_000)]
    [InlineData(2_000_000)]
    public void A_long_single_line_parses_in_linear_time(int length)
    {
        // The shape that took 17 s at 200 KB and over 200 s at 2 MB: one run of key characters with no ':'.
        string text = "a drone\nSteps: 3, " + new string('a', length);
        var clock = Stopwatch.StartNew();
        var parsed = A1111Parameters.Parse(text);
        output.WriteLine($"{length:N0} characters on one line: parsed in {clock.Elapsed.TotalMilliseconds:F1} ms");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"{length} characters took {clock.Elapsed}");
        Assert.Equal("a drone", parsed.Prompt.Split('\n')[0]);
    }

    [Fact]
    public void The_scanner_finds_exactly_what_A1111s_pattern_finds()
    {
        var random = new Random(16);
        const string alphabet = "ab Z9_-/:,\"\\ \t.é";
        var samples = new List<string>
        {
            "Steps: 30, Sampler: Euler a, CFG scale: 7.5, Seed: 42, Size: 64x64",
            "Lora weights: \"a: 0.5, b: 1\", Model: x", "a: b", "xy:", "\"q\": \"\"", "Key: \"unterminated, Next: 1",
            "Key: \"x\" tail, B2: 3", "  Sharpness: 2/3, Up scale-x: \"a\\\"b\", ",
        };
        for (int i = 0; i < 3000; i++)
            samples.Add(new string(Enumerable.Range(0, random.Next(0, 40)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray()));
        foreach (string line in samples)
        {
            var expected = Reference.Matches(line).Select(m => (m.Groups[1].Value, m.Groups[2].Value, m.Length)).ToList();
            var actual = A1111PairScanner.Scan(line).Select(p => (p.Key, p.Value, p.Length)).ToList();
            Assert.True(expected.SequenceEqual(actual), $"'{line}': regex {string.Join(" | ", expected)}; scanner {string.Join(" | ", actual)}");
        }
    }

    [Fact]
    public void A_size_beyond_int_is_left_as_an_extra_value_not_an_overflow()
    {
        var parsed = A1111Parameters.Parse("p\nSteps: 1, Seed: 2, Size: 99999999999x64");
        Assert.Null(parsed.Width);
    }

    [Fact]
    public void Text_over_the_metadata_limit_is_not_read()
    {
        var png = HostilePng.Create(8, 8, new string('x', InputLimits.MaxMetadataTextBytes + 1));
        Assert.Null(PngTextChunks.Read(png, ImageCodec.ParametersKeyword));
        Assert.Equal("ok", PngTextChunks.Read(HostilePng.Create(8, 8, "ok"), ImageCodec.ParametersKeyword));
    }

    [Fact]
    public void Metadata_of_a_huge_image_is_read_without_decoding_its_pixels()
    {
        string path = Path.Combine(Path.GetTempPath(), $"nb-huge-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(path, HostilePng.Create(20000, 20000, "a drone\nSteps: 3, Seed: 7, Size: 20000x20000"));
        try
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var parameters = ImageCodec.ReadParameters(path);
            Assert.Equal(7, parameters.Seed);
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 20, "reading metadata must not allocate the 1.6 GB RGBA buffer");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(100000, 100000)]
    [InlineData(32768, 32769)]
    public void An_image_whose_buffer_cannot_exist_is_refused_before_decoding(int width, int height)
    {
        var error = Assert.Throws<InputTooLargeException>(() => ImageCodec.Decode(HostilePng.Create(width, height), "huge.png"));
        Assert.Contains("huge.png", error.Message);
        Assert.Contains("Reduce the image", error.Message);
    }
}
