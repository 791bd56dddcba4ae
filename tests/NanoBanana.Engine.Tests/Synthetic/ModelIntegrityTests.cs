using System.Security.Cryptography;
using NanoBanana.Models;
using NanoBanana.Onnx;

namespace NanoBanana.Engine.Tests.Synthetic;

public sealed class ModelIntegrityTests(SyntheticModels models) : IClassFixture<SyntheticModels>
{
    [Theory]
    [InlineData("xl")]
    [InlineData("xl-torch")]
    [InlineData("sd15")]
    [InlineData("fp16-legacy")]
    public void Forge_models_pass_every_check(string which)
    {
        string folder = which switch { "xl" => models.Xl, "xl-torch" => models.XlTorch, "sd15" => models.Sd15, _ => models.XlHalfLegacy };
        var checks = ModelIntegrity.Check(folder);
        Assert.All(checks, c => Assert.True(c.Status == ModelCheckStatus.Passed, $"{c.Component} {c.Check}: {c.Detail}"));
        Assert.Contains(checks, c => c.Component == "unet" && c.Check == "External data");
        Assert.Contains(checks, c => c.Component == "unet" && c.Check == "Conditioning width");
    }

    /// <summary>A private copy of the tiny SDXL folder to break.</summary>
    string Copy(string name) => models.Copy(models.Xl, "broken-" + name);

    static ModelCheck SingleFailure(string folder, string? manifest = null)
    {
        var failures = ModelIntegrity.Check(folder, manifest).Where(c => c.Status == ModelCheckStatus.Failed).ToList();
        return Assert.Single(failures);
    }

    [Fact]
    public void A_missing_component_file_fails_naming_the_file_and_the_fix()
    {
        string folder = Copy("missing");
        File.Delete(Path.Combine(folder, "vae_decoder", "model.onnx"));
        var failure = SingleFailure(folder);
        Assert.Equal(("vae_decoder", "File"), (failure.Component, failure.Check));
        Assert.Contains(Path.Combine("vae_decoder", "model.onnx"), failure.Detail);
        Assert.Contains("Copy vae_decoder/", failure.Detail);
    }

    [Fact]
    public void A_truncated_external_data_file_fails_naming_an_initializer()
    {
        string folder = Copy("truncated");
        string data = Path.Combine(folder, "unet", "model.onnx_data");
        using (var stream = new FileStream(data, FileMode.Open)) stream.SetLength(stream.Length / 2);
        var failure = SingleFailure(folder);
        Assert.Equal(("unet", "External data"), (failure.Component, failure.Check));
        Assert.Contains("model.onnx_data", failure.Detail);
        Assert.Contains("truncated", failure.Detail);
    }

    [Fact]
    public void An_initializer_whose_offset_is_past_the_end_fails_naming_it()
    {
        string folder = Copy("offset");
        string path = Path.Combine(folder, "unet", "model.onnx");
        var model = OnnxModelFile.Load(path);
        var victim = model.Graph.Initializer.First(t => t.ExternalData.Count > 0);
        victim.ExternalData.Single(e => e.Key == "offset").Value = (new FileInfo(Path.Combine(folder, "unet", "model.onnx_data")).Length + 4096).ToString();
        OnnxModelFile.Save(model, path);
        var failure = SingleFailure(folder);
        Assert.Equal(("unet", "External data"), (failure.Component, failure.Check));
        Assert.Contains($"'{victim.Name}'", failure.Detail);
    }

    [Fact]
    public void A_unet_without_time_ids_fails_the_contract_check()
    {
        string folder = Copy("no-time-ids");
        string path = Path.Combine(folder, "unet", "model.onnx");
        var model = OnnxModelFile.Load(path);
        model.Graph.Input.Remove(model.Graph.Input.Single(i => i.Name == "time_ids"));
        OnnxModelFile.Save(model, path);
        var failure = SingleFailure(folder);
        Assert.Equal(("unet", "Inputs and outputs"), (failure.Component, failure.Check));
        Assert.Contains("no input 'time_ids'", failure.Detail);
        Assert.Contains("re-export", failure.Detail);
    }

    [Fact]
    public void A_malformed_vocabulary_fails_the_tokenizer_check()
    {
        string folder = Copy("vocab");
        File.WriteAllText(Path.Combine(folder, "tokenizer_2", "vocab.json"), "{\"a\": 1, \"b\": ");
        var failure = SingleFailure(folder);
        Assert.Equal(("tokenizer_2", "Vocabulary"), (failure.Component, failure.Check));
        Assert.Contains("Copy the tokenizer_2 folder", failure.Detail);
    }

    [Fact]
    public void A_file_that_is_not_onnx_fails_the_parse_check()
    {
        string folder = Copy("garbage");
        File.WriteAllBytes(Path.Combine(folder, "text_encoder", "model.onnx"), [0xFF, 0xFF, 0xFF, 0x13, 0x37]);
        var failure = SingleFailure(folder);
        Assert.Equal(("text_encoder", "Parses"), (failure.Component, failure.Check));
    }

    [Fact]
    public void A_missing_folder_or_index_is_one_clear_failure()
    {
        var nowhere = Assert.Single(ModelIntegrity.Check(Path.Combine(models.Root, "does-not-exist")));
        Assert.Equal(ModelCheckStatus.Failed, nowhere.Status);
        Assert.Contains("does not exist", nowhere.Detail);
    }

    [Fact]
    public void The_manifest_check_finds_a_changed_file()
    {
        string folder = Copy("manifest");
        string[] files = ["unet/model.onnx", "unet/model.onnx_data", "tokenizer/vocab.json"];
        string manifest = Path.Combine(models.Root, "manifest.sha256");
        File.WriteAllLines(manifest, files.Select(f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(folder, f)))).ToLowerInvariant() + "  " + f));
        var passed = ModelIntegrity.Check(folder, manifest).Single(c => c.Component == "manifest");
        Assert.Equal(ModelCheckStatus.Passed, passed.Status);
        Assert.Contains("3 file(s)", passed.Detail);

        File.AppendAllText(Path.Combine(folder, "tokenizer", "vocab.json"), " ");
        var failure = SingleFailure(folder, manifest);
        Assert.Equal(("manifest", "SHA-256"), (failure.Component, failure.Check));
        Assert.Contains("tokenizer/vocab.json", failure.Detail);
    }
}
