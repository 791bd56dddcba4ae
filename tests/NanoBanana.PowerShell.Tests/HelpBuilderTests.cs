using System.Diagnostics;
using NanoBanana.PowerShell.Tests.Hosting;

namespace NanoBanana.PowerShell.Tests;

/// <summary>
/// The help generator must stop the build when help and code disagree. Runs the built generator (this project
/// builds it first) against the packaged cmdlet assembly with deliberately broken Markdown in a temp folder.
/// </summary>
public class HelpBuilderTests
{
    private static readonly string ModuleDirectory = Path.GetDirectoryName(RepositoryPaths.ModuleManifest)!;
    private static readonly string HelpSource = Path.Combine(RepositoryPaths.Root, "module", "help", "Get-NanoBananaEnvironment.md");

    [Fact]
    public void AParameterThatDoesNotExistFailsWithFileCmdletAndParameter()
    {
        using var dir = new TempDirectory();
        string page = File.ReadAllText(HelpSource).Replace("## PARAMETERS\n", "## PARAMETERS\n\n### -Bogus\nNot a parameter.\n");
        File.WriteAllText(Path.Combine(dir.Path, "Get-NanoBananaEnvironment.md"), page);

        var (exitCode, output) = RunGenerator(dir.Path);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Get-NanoBananaEnvironment.md(", output);
        Assert.Contains("error NBHELP: cmdlet Get-NanoBananaEnvironment: documents parameter -Bogus", output);
        Assert.False(File.Exists(Path.Combine(dir.Path, "out.xml")));
    }

    [Fact]
    public void ACmdletWithoutAHelpPageFails()
    {
        using var dir = new TempDirectory();
        var (exitCode, output) = RunGenerator(dir.Path);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("cmdlet Get-NanoBananaEnvironment", output);
        Assert.Contains("has no help page", output);
    }

    [Fact]
    public void TheShippedPagesGenerateMaml()
    {
        using var dir = new TempDirectory();
        var pages = Directory.GetFiles(Path.GetDirectoryName(HelpSource)!, "*-*.md");
        foreach (var page in pages) File.Copy(page, Path.Combine(dir.Path, Path.GetFileName(page)));
        var (exitCode, output) = RunGenerator(dir.Path);
        Assert.True(exitCode == 0, output);
        var maml = System.Xml.Linq.XDocument.Load(Path.Combine(dir.Path, "out.xml"));
        Assert.Equal("helpItems", maml.Root!.Name.LocalName);
        Assert.Equal(pages.Length, maml.Root.Elements().Count(e => e.Name.LocalName == "command"));
    }

    private static (int ExitCode, string Output) RunGenerator(string markdownDirectory)
    {
        // tests/.../bin/<Configuration>/net10.0/ -> src/NanoBanana.HelpBuilder/bin/<Configuration>/net10.0/
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        string generator = Path.Combine(RepositoryPaths.Root, "src", "NanoBanana.HelpBuilder", "bin", configuration, "net10.0", "NanoBanana.HelpBuilder.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in new[]
        {
            generator,
            "--assembly", Path.Combine(ModuleDirectory, "NanoBanana.PowerShell.dll"),
            "--dependencies", Path.Combine(ModuleDirectory, "Dependencies"),
            "--markdown", markdownDirectory,
            "--output", Path.Combine(markdownDirectory, "out.xml"),
        }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd(), stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr);
    }
}
