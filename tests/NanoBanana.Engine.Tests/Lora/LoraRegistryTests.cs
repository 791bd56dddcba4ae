using NanoBanana.Lora;
using NanoBanana.Synthetic;

namespace NanoBanana.Engine.Tests.Lora;

public sealed class LoraRegistryTests : IDisposable
{
    readonly TempFolder _temp = new();
    readonly string _file;

    public LoraRegistryTests()
    {
        string model = SyntheticModelBuilder.Create(_temp.File("model"), new SyntheticModelOptions { UnetOnly = true }).Folder;
        _file = _temp.File("detail.safetensors");
        SyntheticLora.Create(model, _file, rank: 2, LoraKeyFormat.Kohya, seed: 1);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Registering_loads_once_and_weight_changes_keep_the_adapter_version()
    {
        var registry = new LoraRegistry();
        var entry = registry.Set(_file, null, 0.8);
        Assert.Equal("detail", entry.Name);
        Assert.Equal(LoraKeyFormat.Kohya, entry.Format);
        Assert.Equal(2, entry.Rank);
        Assert.True(entry.TargetCount > 0);
        int version = registry.AdapterVersion;

        registry.Set(null, "DETAIL", 0.4);
        registry.Set(_file, "detail", 1.2);
        Assert.Equal(version, registry.AdapterVersion);
        Assert.Equal(1.2, Assert.Single(registry.Entries).Weight);
        Assert.Same(entry.Adapter, registry.Entries[0].Adapter);

        Assert.True(registry.Remove("detail"));
        Assert.NotEqual(version, registry.AdapterVersion);
        Assert.Empty(registry.Entries);
    }

    [Fact]
    public void Overrides_apply_to_one_render_and_unknown_names_say_how_to_register()
    {
        var registry = new LoraRegistry();
        registry.Set(_file, "turbo", 0.8);
        Assert.Equal(0.7, registry.Select(new Dictionary<string, double> { ["turbo"] = 0.7 }).Weights["turbo"]);
        Assert.Equal(0.8, registry.Select(null).Weights["turbo"]);
        Assert.Single(registry.Select().Adapters.Adapters);

        var unknown = Assert.Throws<LoraNotRegisteredException>(() => registry.Select(new Dictionary<string, double> { ["style"] = 1 }));
        Assert.Equal("style", unknown.LoraName);
        Assert.Contains("Set-LoraWeight -Path", unknown.Message);
        Assert.Contains("registered: turbo", unknown.Message);
        var noPath = Assert.Throws<LoraNotRegisteredException>(() => registry.Set(null, "style", 1));
        Assert.Contains("'style'", noPath.Message);
    }

    [Fact]
    public void A_broken_file_is_refused_and_the_registry_is_unchanged()
    {
        var registry = new LoraRegistry();
        registry.Set(_file, "good", 0.5);
        string truncated = _temp.File("truncated.safetensors");
        File.WriteAllBytes(truncated, File.ReadAllBytes(_file)[..200]);
        var error = Assert.Throws<InvalidDataException>(() => registry.Set(truncated, null, 0.8));
        Assert.Contains("truncated.safetensors", error.Message);
        Assert.Equal("good", Assert.Single(registry.Entries).Name);
        Assert.Throws<ArgumentOutOfRangeException>(() => registry.Set(null, "good", double.NaN));
    }
}
