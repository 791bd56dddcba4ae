using System.Diagnostics;
using System.Text;
using NanoBanana.Catalogue;
using NanoBanana.Models;
using NanoBanana.Pipeline;
using NanoBanana.Schedulers;
using NanoBanana.Unet;
using NanoBanana.Engine.Tests.Lora;
using NanoBanana.Imaging;
using NanoBanana.Imaging.Upscaling;
using NanoBanana.Limits;
using NanoBanana.Lora;
using NanoBanana.Text;

namespace NanoBanana.Engine.Tests.Limits;

/// <summary>Issue 16: one hostile or oversized value gives a named error (the cmdlets make it that item's error
/// record) in bounded time, instead of an overflow, a hang or a black image.</summary>
public sealed class HostileInputTests
{
    static RenderRowException RowError(RenderRow row) => Assert.Throws<RenderRowException>(() => row.ToRequest());

    [Theory]
    [InlineData("1048576")]
    [InlineData("65536")]
    public void A_render_wider_than_the_limit_is_a_row_error(string width)
    {
        var error = RowError(new RenderRow { Name = "wide", Prompt = "a drone", Width = width, Height = "64" });
        Assert.Equal("Width", error.Field);
        Assert.Contains($"over the limit of {InputLimits.MaxRenderSide}", error.Message);
    }

    [Fact]
    public void Without_a_budget_a_render_is_judged_against_the_machines_memory()
    {
        using var engine = new NanoBananaEngine();
        // SDXL's published shapes at 4096²: hundreds of GB of attention scores, on any machine "does not fit".
        var full = engine.EstimateMemory(null, 4096, 4096, 1, budgetBytes: null).Single(e => e.Mode == NanoBanana.Runtime.MemoryMode.Full);
        Assert.Equal(InputLimits.MachineMemoryBytes, full.BudgetBytes);
        Assert.True(full.PeakBytes > full.BudgetBytes);
        Assert.False(full.Fits);
    }

    [Fact]
    public void An_upscale_whose_result_cannot_exist_is_refused_by_size()
    {
        // Invoke-Upscale -Scale 2 of a 20000² image: 40000² RGBA is more than one array holds.
        var error = Assert.Throws<InputTooLargeException>(() => ImageCodec.CheckSize(40000L, 40000L, "a 20000x20000 image upscaled x2"));
        Assert.Contains("20000x20000", error.Message);
        ImageCodec.CheckSize(2048, 2048, "ordinary");
    }

    [Fact]
    public void A_huge_prompt_is_refused_by_length_before_any_work()
    {
        var clock = Stopwatch.StartNew();
        var error = RowError(new RenderRow { Prompt = new string('a', 900_000) + " drone" });
        Assert.Equal("Prompt", error.Field);
        Assert.Contains("characters, over the limit", error.Message);
        Assert.Equal("NegativePrompt", RowError(new RenderRow { Prompt = "a", NegativePrompt = new string('b', InputLimits.MaxPromptCharacters + 1) }).Field);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void A_fifty_megabyte_parts_cell_is_refused_before_parsing()
    {
        string parts = "<product>" + string.Concat(Enumerable.Repeat("<part name=\"screw\"/>", 50_000_000 / 20)) + "</product>";
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = RowError(new RenderRow { Prompt = "a drone", Parts = parts });
        Assert.Equal("Parts", error.Field);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "the cell must not be parsed");
    }

    [Fact]
    public void A_parts_list_with_too_many_elements_is_a_row_error()
    {
        string parts = "<p>" + string.Concat(Enumerable.Repeat("<a/>", InputLimits.MaxPartsElements + 1)) + "</p>";
        var error = RowError(new RenderRow { Prompt = "x", Parts = parts });
        Assert.Contains($"more than {InputLimits.MaxPartsElements} elements", error.Message);
    }

    [Fact]
    public void A_row_label_quotes_a_hostile_name_short_and_without_control_characters()
    {
        var error = RowError(new RenderRow { Name = "\u001b[31m" + new string('n', 10_000), Prompt = "" });
        Assert.DoesNotContain(error.Message, char.IsControl);
        Assert.True(error.Message.Length < 400);
    }

    [Theory]
    [InlineData("""{"num_train_timesteps": 2147483647}""", "num_train_timesteps")]
    [InlineData("""{"num_train_timesteps": 1e30}""", "num_train_timesteps")]
    [InlineData("""{"beta_end": 1.5}""", "beta_end")]
    [InlineData("""{"beta_start": 0.5, "beta_end": 0.1}""", "beta_start")]
    [InlineData("""{"steps_offset": -3}""", "steps_offset")]
    [InlineData("""{"solver_order": 40}""", "solver_order")]
    public void Scheduler_values_out_of_range_are_named(string json, string key) =>
        Assert.Contains(key, Assert.Throws<InvalidDataException>(() => SchedulerConfig.Parse(json)).Message);

    [Fact]
    public void Betas_that_drive_sigma_to_infinity_are_refused_not_rendered_black()
    {
        var config = SchedulerConfig.Parse("""{"_class_name": "EulerDiscreteScheduler", "num_train_timesteps": 100000, "beta_start": 0.5, "beta_end": 0.99, "beta_schedule": "linear"}""");
        Assert.Contains("σ", Assert.Throws<InvalidDataException>(() => SchedulerFactory.Create(config, 30)).Message);
    }

    static string WriteLora(TempFolder folder, float downValue, float? alpha = null, string? metadataAlpha = null)
    {
        string path = folder.File($"lora-{Guid.NewGuid():N}.safetensors");
        var tensors = new List<(string, long[], float[])>
        {
            ("lora_unet_down_blocks_0_proj.lora_down.weight", [2, 4], [1, 2, downValue, 4, 5, 6, 7, 8]),
            ("lora_unet_down_blocks_0_proj.lora_up.weight", [4, 2], [1, 2, 3, 4, 5, 6, 7, 8]),
        };
        if (alpha is float a) tensors.Add(("lora_unet_down_blocks_0_proj.alpha", [], [a]));
        SafetensorsWriter.Write(path, tensors, metadataAlpha is null ? null : new Dictionary<string, string> { ["lora_alpha"] = metadataAlpha });
        return path;
    }

    [Theory]
    [InlineData(float.NaN, 1f)]
    [InlineData(float.PositiveInfinity, 1f)]
    [InlineData(3f, float.NaN)]
    public void A_lora_with_nan_or_infinite_numbers_is_refused_at_registration_and_the_registry_stays_intact(float weight, float alpha)
    {
        using var folder = new TempFolder();
        var registry = new LoraRegistry();
        registry.Set(WriteLora(folder, 3f, 1f), "good", 0.5);
        var error = Assert.Throws<InvalidDataException>(() => registry.Set(WriteLora(folder, weight, alpha), "bad", 0.5));
        Assert.Contains("every render black", error.Message);
        Assert.Equal(["good"], registry.Entries.Select(e => e.Name));
    }

    [Fact]
    public void A_safetensors_header_with_invalid_utf8_is_lora_invalid()
    {
        using var folder = new TempFolder();
        string path = folder.File("bad-utf8.safetensors");
        byte[] header = [.. "{\""u8, 0xC3, 0x28, .. "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}"u8];
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((long)header.Length), .. header, 0, 0, 0, 0]);
        Assert.Contains("UTF-8", Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path).Dispose()).Message);
    }

    const string Ncnn = "7767517\n";

    [Fact]
    public void An_ncnn_layer_whose_weight_size_wraps_in_int_is_refused()
    {
        // 2^30 outputs × a 4×4 kernel is 2^34: in int that wrapped to 0 and divided by zero.
        string param = Ncnn + "2 2\nInput in 0 1 data\nConvolution conv 1 1 data out 0=1073741824 1=4 6=16\n";
        var error = Assert.Throws<NcnnFormatException>(() => NcnnToOnnxConverter.Convert(NcnnParam.Parse(param, "t.param"), new byte[64], "t.bin", "t"));
        Assert.Contains("conv", error.Message);
    }

    [Fact]
    public void An_interp_scale_of_100000_is_refused_at_import()
    {
        string param = Ncnn + "3 3\nInput in 0 1 data\nConvolution conv 1 1 data c 0=3 1=1 6=9\nInterp up 1 1 c out 0=1 1=100000 2=100000\n";
        var error = Assert.Throws<NcnnFormatException>(() => NcnnToOnnxConverter.Convert(NcnnParam.Parse(param, "t.param"), new byte[4 + 36], "t.bin", "t"));
        Assert.Contains("Interp scales", error.Message);
    }

    [Fact]
    public void An_ncnn_layer_count_of_int_max_does_not_allocate_by_it() =>
        Assert.Throws<NcnnFormatException>(() => NcnnParam.Parse(Ncnn + "2147483647 1\nInput in 0 1 data\n", "t.param"));

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    [InlineData("name.")]
    [InlineData("")]
    public void Upscaler_store_names_that_would_make_odd_files_are_refused(string name) =>
        Assert.False(UpscaleModelName.IsValid(name));

    [Theory]
    [InlineData("realesr-animevideov3")]
    [InlineData("RealESRGAN_x4plus")]
    [InlineData("x4.v2")]
    public void Ordinary_upscaler_names_are_valid(string name) => Assert.True(UpscaleModelName.IsValid(name));

    [Fact]
    public void File_names_are_cut_on_utf8_bytes_at_character_boundaries()
    {
        string cjk = new('製', 72); // 216 UTF-8 bytes: over the limit at 72 characters
        string stem = OutputFileName.Sanitize(cjk);
        Assert.True(Encoding.UTF8.GetByteCount(stem) <= InputLimits.MaxFileNameBytes);
        Assert.Equal(InputLimits.MaxFileNameBytes / 3, stem.Length);

        string emoji = new string('a', 197) + "😀😀"; // the cut falls inside the surrogate pair at 199..200
        string cut = OutputFileName.Sanitize(emoji);
        Assert.Equal(new string('a', 197), cut);
        Assert.DoesNotContain('\uFFFD', OutputFileName.Sanitize(new string('x', 119) + "😀"));
        foreach (int n in Enumerable.Range(0, 300))
        {
            string sanitized = OutputFileName.Sanitize(new string('b', n) + "😀😀😀");
            Assert.False(char.IsHighSurrogate(sanitized[^1]), $"{n}: a lone high surrogate ends the name");
            Assert.DoesNotContain('\uFFFD', sanitized);
        }
    }

    [Fact]
    public void A_second_item_writing_the_same_file_in_one_command_is_refused_naming_both_even_with_force()
    {
        using var folder = new TempFolder();
        var output = new OutputTarget(null, folder.Path, overwrite: true);
        string path = output.PathFor("same")!;
        output.EnsureWritable(path, "Row 'A'");
        output.Write(RgbaImage.CreateOpaque(8, 8), path, "Row 'A'");
        var error = Assert.Throws<DuplicateOutputException>(() => output.EnsureWritable(path, "Row 'B'"));
        Assert.Contains("Row 'A'", error.Message);
        Assert.Contains("Row 'B'", error.Message);
    }

    [Fact]
    public void Excerpts_escape_control_and_format_characters_and_stay_short()
    {
        string quoted = Excerpt.Of("a\u001b[2J\u202Eb\r\n" + new string('z', 500));
        Assert.DoesNotContain(quoted, c => char.IsControl(c) || c == '\u202E');
        Assert.StartsWith("a\\u001B[2J\\u202Eb\\u000D\\u000A", quoted);
        Assert.True(quoted.Length <= Excerpt.DefaultLength + 1);
    }
}
