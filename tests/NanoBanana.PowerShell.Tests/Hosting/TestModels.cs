using System.Diagnostics;
using System.Reflection;

namespace NanoBanana.PowerShell.Tests.Hosting;

/// <summary>
/// Diffusion model folders for hosted tests. They are written by the NanoBanana.TestModels tool (the engine
/// tests' TinyDiffusionFolder) in a child process: loading NanoBanana.Engine into this process's default
/// context would make the module bind to that copy instead of its own. When the forge's New-SyntheticModel
/// lands, <see cref="CreateTinyModel"/> becomes one call to it.
/// </summary>
public static class TestModels
{
    private static readonly string Tool = typeof(TestModels).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "TestModelsTool").Value!;

    /// <summary>Writes a tiny SDXL (<paramref name="xl"/>) or SD 1.5 diffusers folder and returns it.</summary>
    /// <param name="slowUnet">About a second of work per UNet run, so a test can stop a render mid-step.</param>
    public static string CreateTinyModel(string folder, bool xl, bool slowUnet = false)
    {
        if (!File.Exists(Tool)) throw new FileNotFoundException($"The model tool was not built: {Tool}", Tool);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { Tool, folder, xl ? "sdxl" : "sd15" }.Concat(slowUnet ? ["slow"] : []))
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)) || process.ExitCode != 0)
            throw new InvalidOperationException($"Could not write the tiny model to {folder}: {errors}");
        return folder;
    }
}
