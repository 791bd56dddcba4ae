namespace NanoBanana.Launcher;

internal static class RepositoryRoot
{
    /// <summary>The folder holding NanoBanana.PowerShell.sln, searched from the current directory and the launcher's own folder.</summary>
    public static string Find()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "NanoBanana.PowerShell.sln"))) return dir.FullName;
        throw new InvalidOperationException("Run the launcher from inside the NanoBanana.PowerShell repository.");
    }
}
