namespace NanoBanana.Engine.Tests.Pipeline;

/// <summary>Tiny SDXL and SD 1.5 folders built once per test class.</summary>
public sealed class TinyModels : IDisposable
{
    public TinyModels()
    {
        Root = Path.Combine(Path.GetTempPath(), "nb-pipeline-" + Guid.NewGuid().ToString("N"));
        Xl = TinyDiffusionFolder.Create(Path.Combine(Root, "tiny-sdxl"), xl: true);
        Sd15 = TinyDiffusionFolder.Create(Path.Combine(Root, "tiny-sd15"), xl: false);
        LegacyXl = TinyDiffusionFolder.Create(Path.Combine(Root, "legacy-sdxl"), xl: true, legacyIo: true);
        SlowXl = TinyDiffusionFolder.Create(Path.Combine(Root, "slow-sdxl"), xl: true, slowUnet: true);
    }

    public string Root { get; }
    public string Xl { get; }
    public string Sd15 { get; }
    public string SlowXl { get; }
    public string LegacyXl { get; }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
