namespace NanoBanana.PowerShell.Tests.Hosting;

/// <summary>
/// Model folders written once per test class by the module's own New-SyntheticModel, as a user's Pester suite
/// would: a tiny SDXL, and a Small SDXL whose UNet takes about half a second at 512×512, so a test can stop a
/// render mid-step.
/// </summary>
public sealed class TinyModelFolders : IDisposable
{
    private readonly TempDirectory _root = new();

    public TinyModelFolders()
    {
        using var ps = new PowerShellSession(_root.Path);
        ps.Run("$null = New-SyntheticModel -Path tiny-sdxl -Seed 5; $null = New-SyntheticModel -Path small-sdxl -Size Small -Seed 5").AssertSuccess();
        Xl = _root.File("tiny-sdxl");
        SlowXl = _root.File("small-sdxl");
    }

    public string Xl { get; }

    public string SlowXl { get; }

    public void Dispose() => _root.Dispose();
}
