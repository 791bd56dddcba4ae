namespace NanoBanana.PowerShell.Tests.Hosting;

/// <summary>Locates the repository and the assembled module from the test binaries.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string ModuleManifest => Path.Combine(Root, "artifacts", "module", "NanoBanana", "NanoBanana.psd1");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NanoBanana.PowerShell.sln"))) return dir.FullName;
        throw new InvalidOperationException("NanoBanana.PowerShell.sln not found above " + AppContext.BaseDirectory);
    }
}
