using System.Management.Automation;
using System.Text;
using NanoBanana.PowerShell.Tests.Hosting;
using NanoBanana.Tests.Shared;

namespace NanoBanana.PowerShell.Tests;

/// <summary>
/// Issue 16: each failure that used to end a whole pipeline, fed between two good items. Both good items come out,
/// and the bad one is its own error record (stable id, the item as target). Serial: renders and the LoRA registry
/// are process-wide.
/// </summary>
[Collection(EngineSessionCollection.Name)]
public sealed class HostileInputIsolationTests(TinyModelFolders models) : IClassFixture<TinyModelFolders>
{
    static string Id(ErrorRecord error) => error.FullyQualifiedErrorId.Split(',')[0];

    static string Target(ErrorRecord error) => error.TargetObject switch
    {
        PSObject { BaseObject: PSCustomObject } row => (string)row.Properties["Name"].Value,
        PSObject wrapped => wrapped.BaseObject.ToString()!,
        var other => other?.ToString() ?? "",
    };

    /// <summary>A copy of the tiny SDXL with one file replaced.</summary>
    string BrokenModel(TempDirectory dir, string name, string relativePath, string content)
    {
        string target = dir.File(name);
        foreach (string file in Directory.GetFiles(models.Xl, "*", SearchOption.AllDirectories))
        {
            string to = Path.Combine(target, Path.GetRelativePath(models.Xl, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
        string path = Path.Combine(target, relativePath);
        File.WriteAllText(path, content.StartsWith("REPLACE:", StringComparison.Ordinal)
            ? File.ReadAllText(path).Replace("\"num_train_timesteps\": 1000", content["REPLACE:".Length..])
            : content);
        return target;
    }

    [Fact]
    public void Every_bad_catalogue_row_is_its_own_error_and_both_good_rows_render()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);
        var hostileModels = new (string Name, string File, string Content)[]
        {
            ("class-number", "model_index.json", """{"_class_name": 5}"""),
            ("vae-not-json", "vae_decoder/config.json", "scaling_factor = 0.13"),
            ("timesteps-max", "scheduler/scheduler_config.json", "REPLACE:\"num_train_timesteps\": 2147483647"),
            ("timesteps-zero", "scheduler/scheduler_config.json", "REPLACE:\"num_train_timesteps\": 0"),
        };
        // (the bad row's Name, the cell it sets, the value as a PowerShell expression, the error id it must get)
        var rows = new List<(string Name, string Cell, string Value, string ExpectedId)>
        {
            ("wide", "Width", "'1048576'", "InvalidRenderRow"),
            ("huge-prompt", "Description", "'a' * 900000", "InvalidRenderRow"),
            ("huge-parts", "Parts", "'<p>' + ('<a/>' * 12500000) + '</p>'", "InvalidRenderRow"),
            ("nan-lora-weight", "LoraWeight", "'x=NaN'", "InvalidRenderRow"),
            ("unregistered-lora", "LoraWeight", "'nanlora=0.5'", "LoraNotFound"),
            ("good-1", "Seed", "'2'", "DuplicateOutput"), // a second row writing good-1.png, under -Force
        };
        foreach (var (name, file, content) in hostileModels)
            rows.Add((name, "ModelPath", $"'{BrokenModel(dir, name, file, content)}'", "ModelInvalid"));

        foreach (var (name, cell, value, expectedId) in rows)
        {
            string pipeline = $$"""
                $good = @{ Description = 'a drone'; Width = '64'; Height = '64'; Steps = '1'; Seed = '1'; ModelPath = $m }
                $bad = $good.Clone(); $bad.Name = '{{name}}'; $bad.{{cell}} = {{value}}
                @(
                    [pscustomobject]($good + @{ Name = 'good-1' })
                    [pscustomobject]$bad
                    [pscustomobject]($good + @{ Name = 'good-2' })
                ) | New-ExplodedView -OutputDirectory out-{{name}} -Force
                """;
            var result = ps.Run(pipeline, new Dictionary<string, object?> { ["m"] = models.Xl });
            Assert.True(result.Terminating is null, $"{name}: {result.Terminating}");
            Assert.Equal(["good-1", "good-2"], result.Output.Select(o => (string)o.Properties["Name"].Value));
            var error = Assert.Single(result.Errors);
            Assert.Equal((name, expectedId), (Target(error), Id(error)));
            Assert.Equal(["good-1.png", "good-2.png"], Directory.GetFiles(dir.File("out-" + name)).Select(Path.GetFileName).Order());
        }
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Every_bad_image_is_its_own_error_and_both_good_images_come_out()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);
        TestImages.WritePng(dir.File("a.png"), 32, 32);
        TestImages.WritePng(dir.File("z.png"), 32, 32, seed: 2);
        var hostile = new (string File, byte[] Bytes, string[] ExpectedIds)[]
        {
            // The parameters line that hung every image cmdlet: now parsed in linear time (no error for metadata).
            ("long-line.png", HostilePng.Create(32, 32, "p\nSteps: 1, " + new string('a', 200_000)), []),
            ("huge-sides.png", HostilePng.Create(100000, 100000), ["InputTooLarge"]),
            ("huge-buffer.png", HostilePng.Create(32768, 32769), ["InputTooLarge"]),
            ("not-an-image.png", Encoding.UTF8.GetBytes("hello"), ["ImageUnreadable"]),
        };
        foreach (var (file, bytes, _) in hostile) File.WriteAllBytes(dir.File(file), bytes);

        foreach (string command in new[] { "Get-RenderMetadata", "Optimize-Sharpness -Factor 2", "Invoke-Upscale -Scale 2 -TileSize 16", "Compare-RenderImage -ReferencePath a.png" })
        {
            foreach (var (file, _, expectedIds) in hostile)
            {
                // Metadata is read without pixels: the huge headers have readable (empty) metadata.
                var expected = command == "Get-RenderMetadata" && file.StartsWith("huge", StringComparison.Ordinal) ? [] : expectedIds;
                var result = ps.Run($"'a.png', '{file}', 'z.png' | {command}");
                Assert.True(result.Terminating is null, $"{command} {file}: {result.Terminating}");
                Assert.Equal(expected, result.Errors.Select(Id).ToArray());
                Assert.All(result.Errors, e => Assert.EndsWith(file, Target(e)));
                Assert.Equal(3 - expected.Length, result.Output.Count);
            }
        }
    }

    static byte[] Safetensors(float downValue)
    {
        string header = """{"lora_unet_x.lora_down.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"lora_unet_x.lora_up.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[16,32]}}""";
        var bytes = new List<byte>(BitConverter.GetBytes((long)header.Length));
        bytes.AddRange(Encoding.UTF8.GetBytes(header));
        foreach (float v in new[] { 1f, downValue, 3f, 4f, 5f, 6f, 7f, 8f }) bytes.AddRange(BitConverter.GetBytes(v));
        return bytes.ToArray();
    }

    [Fact]
    public void Bad_loras_upscalers_and_models_are_errors_for_their_item_only()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);
        File.WriteAllBytes(dir.File("good1.safetensors"), Safetensors(2));
        File.WriteAllBytes(dir.File("good2.safetensors"), Safetensors(2));
        File.WriteAllBytes(dir.File("nan.safetensors"), Safetensors(float.NaN));
        byte[] badUtf8 = Safetensors(2);
        badUtf8[10] = 0xC3; badUtf8[11] = 0x28; // inside the first key's name
        File.WriteAllBytes(dir.File("utf8.safetensors"), badUtf8);
        try
        {
            foreach (string bad in new[] { "nan", "utf8" })
            {
                var result = ps.Run($"'good1', '{bad}', 'good2' | ForEach-Object {{ [pscustomobject]@{{ Path = \"$_.safetensors\"; Name = \"iso-$_\" }} }} | Set-LoraWeight -PassThru");
                Assert.True(result.Terminating is null, $"{bad}: {result.Terminating}");
                Assert.Equal(["iso-good1", "iso-good2"], result.Output.Select(o => (string)o.Properties["Name"].Value));
                Assert.Equal("LoraInvalid", Id(Assert.Single(result.Errors)));
            }
            Assert.Equal(["iso-good1", "iso-good2"], ps.Run("Get-LoraWeight iso-*").AssertSuccess().Output.Select(o => (string)o.Properties["Name"].Value));
        }
        finally
        {
            ps.Run("Remove-Lora -Name iso-good1, iso-good2");
        }

        const string conv = "Convolution conv 1 1 data out 0=3 1=1 6=9\n";
        File.WriteAllText(dir.File("good.param"), "7767517\n2 2\nInput in 0 1 data\n" + conv);
        File.WriteAllBytes(dir.File("good.bin"), new byte[4 + 36]);
        File.WriteAllText(dir.File("wide.param"), "7767517\n2 2\nInput in 0 1 data\nConvolution conv 1 1 data out 0=1073741824 1=4 6=16\n");
        File.WriteAllText(dir.File("interp.param"), "7767517\n3 3\nInput in 0 1 data\nConvolution conv 1 1 data c 0=3 1=1 6=9\nInterp up 1 1 c out 0=1 1=100000 2=100000\n");
        var imports = ps.Run("""
            @(
                [pscustomobject]@{ ParamPath = 'good.param'; BinPath = 'good.bin'; Name = 'nb-iso-a' }
                [pscustomobject]@{ ParamPath = 'wide.param'; BinPath = 'good.bin'; Name = 'nb-iso-wide' }
                [pscustomobject]@{ ParamPath = 'interp.param'; BinPath = 'good.bin'; Name = 'nb-iso-interp' }
                [pscustomobject]@{ ParamPath = 'good.param'; BinPath = 'good.bin'; Name = '..' }
                [pscustomobject]@{ ParamPath = 'good.param'; BinPath = 'good.bin'; Name = '.' }
                [pscustomobject]@{ ParamPath = 'good.param'; BinPath = 'good.bin'; Name = 'nb-iso-b' }
            ) | Import-UpscaleModel -Force
            """);
        Assert.True(imports.Terminating is null, imports.Terminating?.ToString());
        Assert.Equal(["nb-iso-a", "nb-iso-b"], imports.Output.Select(o => (string)o.Properties["Name"].Value));
        Assert.Equal(["ModelInvalid", "ModelInvalid", "InvalidArgument", "InvalidArgument"], imports.Errors.Select(Id));

        string manifest = dir.File("escape.sha256");
        File.WriteAllText(manifest, new string('0', 64) + "  ../../../../../../../../dev/zero\n");
        string broken = BrokenModel(dir, "timesteps-negative", "scheduler/scheduler_config.json", "REPLACE:\"num_train_timesteps\": -1000");
        var tests = ps.Run("$m, $broken, 'no-such-folder', $m | Test-NanoBananaModel -Quiet", new Dictionary<string, object?> { ["m"] = models.Xl, ["broken"] = broken });
        Assert.True(tests.Terminating is null);
        Assert.Empty(tests.Errors);
        Assert.Equal([true, false, false, true], tests.Output.Select(o => (bool)o.BaseObject));
        var escaped = ps.Run("Test-NanoBananaModel $m -Manifest $manifest | Where-Object Status -eq Failed", new Dictionary<string, object?> { ["m"] = models.Xl, ["manifest"] = manifest });
        Assert.Contains("outside the model folder", (string)Assert.Single(escaped.AssertSuccess().Output).Properties["Detail"].Value);
    }
}
