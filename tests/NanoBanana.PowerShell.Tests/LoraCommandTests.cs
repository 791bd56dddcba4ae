using System.Text;
using NanoBanana.PowerShell.Tests.Hosting;

namespace NanoBanana.PowerShell.Tests;

/// <summary>The LoRA registry is process-wide and changes every render, so these tests run alone (see the collection).</summary>
[Collection(EngineSessionCollection.Name)]
public sealed class LoraCommandTests(TinyModelFolders models) : IClassFixture<TinyModelFolders>
{
    [Fact]
    public void LorasAreRegisteredListedCompletedSwitchedAndRemoved()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);
        var vars = new Dictionary<string, object?> { ["m"] = models.Xl };
        try
        {
            var kohya = ps.Run("New-SyntheticLora -ModelPath $m -Path kohya-detail.safetensors -Rank 4 -KeyFormat Kohya", vars).AssertSuccess().Output.Single();
            Assert.True((int)kohya.Properties["ModuleCount"].Value > 10);
            ps.Run("$null = New-SyntheticLora -ModelPath $m -Path peft-style.safetensors -Rank 2 -KeyFormat Peft -Seed 1", vars).AssertSuccess();
            var exists = Assert.Single(ps.Run("New-SyntheticLora -ModelPath $m -Path peft-style.safetensors", vars).Errors);
            Assert.StartsWith("OutputExists,", exists.FullyQualifiedErrorId);

            var info = ps.Run("Add-Lora -Path kohya-detail.safetensors -PassThru").AssertSuccess().Output.Single();
            Assert.Equal(("kohya-detail", 0.8, "Kohya", 4), ((string)info.Properties["Name"].Value, (double)info.Properties["Weight"].Value,
                (string)info.Properties["Format"].Value, (int)info.Properties["Rank"].Value));
            ps.Run("Add-Lora peft-style.safetensors -Name style 0.5").AssertSuccess();
            var listed = ps.Run("Get-Lora").AssertSuccess().Output;
            Assert.Equal(["kohya-detail", "style"], listed.Select(l => (string)l.Properties["Name"].Value));
            Assert.Equal("Peft", listed[1].Properties["Format"].Value);

            var completions = ps.Run("$line = 'Set-LoraWeight -Name st'; (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object CompletionText")
                .AssertSuccess().Output.Select(o => o.BaseObject.ToString());
            Assert.Equal(["style"], completions);

            ps.Run("Set-LoraWeight -Name style -Weight 0.3 -WhatIf").AssertSuccess();
            Assert.Equal(0.5, (double)ps.Run("Get-Lora style").AssertSuccess().Output.Single().Properties["Weight"].Value);
            ps.Run("Set-LoraWeight -Name style -Weight 0").AssertSuccess();
            // The former name stays as an alias.
            Assert.Equal(0.0, (double)ps.Run("Get-LoraWeight style").AssertSuccess().Output.Single().Properties["Weight"].Value);
            var unknown = Assert.Single(ps.Run("Set-LoraWeight -Name nothing -Weight 1").Errors);
            Assert.StartsWith("LoraNotFound,", unknown.FullyQualifiedErrorId);
            Assert.Contains("Add-Lora -Path", unknown.ToString());

            ps.Run("Remove-Lora style").AssertSuccess();
            Assert.Equal(["kohya-detail"], ps.Run("Get-Lora").AssertSuccess().Output.Select(l => (string)l.Properties["Name"].Value));
            Assert.StartsWith("LoraNotFound,", Assert.Single(ps.Run("Remove-Lora style").Errors).FullyQualifiedErrorId);
        }
        finally
        {
            ps.Run("Get-Lora | ForEach-Object Name | Remove-Lora").AssertSuccess();
        }
    }

    [Fact]
    public void RowsWithDifferentLoraWeightsRenderInOnePipelineWithTheBaseWeightsLoadedOnce()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);
        var vars = new Dictionary<string, object?> { ["m"] = models.Xl };
        try
        {
            ps.Run("Close-NanoBananaSession; $null = Open-NanoBananaSession -ModelPath $m; $null = New-SyntheticLora -ModelPath $m -Path turbo.safetensors -Rank 4; Add-Lora turbo.safetensors 0.8", vars).AssertSuccess();
            var result = ps.Run("""
                @(
                    [pscustomobject]@{ Name = 'w0';   Description = 'a drill'; Seed = '7'; Width = '64'; Height = '64'; Steps = '3'; LoraWeight = 'turbo=0' }
                    [pscustomobject]@{ Name = 'w12';  Description = 'a drill'; Seed = '7'; Width = '64'; Height = '64'; Steps = '3'; LoraWeight = 'turbo=1.2' }
                    [pscustomobject]@{ Name = 'reg';  Description = 'a drill'; Seed = '7'; Width = '64'; Height = '64'; Steps = '3' }
                    [pscustomobject]@{ Name = 'bad';  Description = 'a drill'; Seed = '7'; Width = '64'; Height = '64'; Steps = '3'; LoraWeight = 'missing=1' }
                ) | New-ExplodedView -OutputDirectory out
                New-ExplodedView 'a drill' -Name table -Seed 7 -Width 64 -Height 64 -Steps 3 -LoraWeight @{ turbo = 0.4 } -OutputDirectory out
                """);
            var error = Assert.Single(result.Errors);
            Assert.StartsWith("LoraNotFound,", error.FullyQualifiedErrorId);
            Assert.Contains("missing", error.ToString());
            var images = result.Output.ToDictionary(o => (string)o.Properties["Name"].Value);
            Assert.Equal(["reg", "table", "w0", "w12"], images.Keys.Order());
            Assert.Equal(1.2, (double)((System.Collections.Hashtable)images["w12"].Properties["LoraWeights"].Value)["turbo"]!);
            Assert.Equal(0.8, (double)((System.Collections.Hashtable)images["reg"].Properties["LoraWeights"].Value)["turbo"]!);

            // The weights changed the image, and they are in the PNG's parameters.
            var weights = ps.Run("'out/w0.png', 'out/w12.png' | Compare-RenderImage -ReferencePath out/reg.png").AssertSuccess().Output;
            Assert.All(weights, c => Assert.True((int)c.Properties["MaxDifference"].Value > 0));
            Assert.Contains("Lora weights: \"turbo: 1.2\"", (string)ps.Run("Get-RenderMetadata out/w12.png").AssertSuccess().Output.Single().Properties["Text"].Value);

            var loads = (System.Collections.Hashtable)ps.Run("Get-NanoBananaSession").AssertSuccess().Output.Single().Properties["LoadCounts"].Value;
            Assert.Equal(1, loads[Path.Combine("unet", "model.onnx")]);
        }
        finally
        {
            ps.Run("Remove-Lora turbo; Close-NanoBananaSession").AssertSuccess();
        }
    }

    [Fact]
    public void BrokenLoraFilesAreRefusedByNameAndTheRegistryStaysUsable()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);
        var vars = new Dictionary<string, object?> { ["m"] = models.Xl };
        try
        {
            ps.Run("$null = New-SyntheticLora -ModelPath $m -Path good.safetensors; Add-Lora good.safetensors", vars).AssertSuccess();
            byte[] good = File.ReadAllBytes(dir.File("good.safetensors"));
            File.WriteAllBytes(dir.File("truncated.safetensors"), good[..(good.Length / 2)]);
            var oversized = new byte[16];
            BitConverter.TryWriteBytes(oversized.AsSpan(0, 8), long.MaxValue / 2);
            File.WriteAllBytes(dir.File("oversized.safetensors"), oversized);
            string header = """{"lora_unet_x.lora_down.weight":{"dtype":"I64","shape":[1,1],"data_offsets":[0,8]},"lora_unet_x.lora_up.weight":{"dtype":"F32","shape":[1,1],"data_offsets":[8,12]}}""";
            var dtype = new List<byte>(BitConverter.GetBytes((long)header.Length));
            dtype.AddRange(Encoding.UTF8.GetBytes(header));
            dtype.AddRange(new byte[12]);
            File.WriteAllBytes(dir.File("dtype.safetensors"), dtype.ToArray());

            foreach (string file in new[] { "truncated", "oversized", "dtype" })
            {
                var error = Assert.Single(ps.Run($"Add-Lora {file}.safetensors").Errors);
                Assert.StartsWith("LoraInvalid,", error.FullyQualifiedErrorId);
                Assert.Contains($"{file}.safetensors", error.ToString());
            }
            Assert.Equal(["good"], ps.Run("Get-LoraWeight").AssertSuccess().Output.Select(l => (string)l.Properties["Name"].Value));
        }
        finally
        {
            ps.Run("Get-Lora | ForEach-Object Name | Remove-Lora").AssertSuccess();
        }
    }
}
