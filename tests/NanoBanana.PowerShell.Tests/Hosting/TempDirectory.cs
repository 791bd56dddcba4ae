namespace NanoBanana.PowerShell.Tests.Hosting;

/// <summary>A scratch folder deleted after the test.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Path = Directory.CreateTempSubdirectory("nb-ps-").FullName;

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Every file under the folder, relative, sorted: "no stray files" assertions compare this. Run records
    /// (New-ExplodedView's .nanobanana-run folders, written by default) are left out: their tests read them.</summary>
    public string[] Files() => Directory.GetFiles(Path, "*", SearchOption.AllDirectories)
        .Select(f => System.IO.Path.GetRelativePath(Path, f))
        .Where(f => !f.Split(System.IO.Path.DirectorySeparatorChar).Contains(".nanobanana-run"))
        .Order(StringComparer.Ordinal).ToArray();

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
