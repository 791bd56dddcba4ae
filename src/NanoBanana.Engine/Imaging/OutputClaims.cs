namespace NanoBanana.Imaging;

/// <summary>
/// The files one run (one cmdlet invocation) has written, and which item wrote each. A later item that would write
/// the same file is refused even with -Force: -Force replaces files from earlier runs, never this run's own work
/// (two catalogue rows with the same Name would otherwise leave only the second image).
/// </summary>
public sealed class OutputClaims
{
    // Paths compare as the file system does: case-insensitively on Windows and macOS.
    readonly Dictionary<string, string> _writers = new(OperatingSystem.IsLinux() ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);

    /// <summary>How many files this run wrote.</summary>
    public int Count => _writers.Count;

    /// <summary>Throws <see cref="DuplicateOutputException"/> when this run already wrote <paramref name="path"/>.</summary>
    public void EnsureUnclaimed(string path, string item)
    {
        if (_writers.TryGetValue(Path.GetFullPath(path), out var first)) throw new DuplicateOutputException(path, first, item);
    }

    /// <summary>Records that <paramref name="item"/> wrote <paramref name="path"/>.</summary>
    public void Claim(string path, string item) => _writers[Path.GetFullPath(path)] = item;
}
