namespace NanoBanana.PowerShell.Tests.Hosting;

/// <summary>A tiny SDXL model and a slow-UNet one, written once per test class.</summary>
public sealed class TinyModelFolders : IDisposable
{
    private readonly TempDirectory _root = new();

    public TinyModelFolders()
    {
        Xl = TestModels.CreateTinyModel(_root.File("tiny-sdxl"), xl: true);
        SlowXl = TestModels.CreateTinyModel(_root.File("slow-sdxl"), xl: true, slowUnet: true);
    }

    public string Xl { get; }

    public string SlowXl { get; }

    public void Dispose() => _root.Dispose();
}
