namespace NanoBanana.Imaging;

/// <summary>
/// Where one command's images go — one file (-OutFile), a folder (-OutputDirectory, each image under its own
/// sanitised name) or nowhere (they stay in memory) — and the rules every writer follows: not both at once; one file
/// takes one image; a file is checked writable before the expensive work, written atomically, and never over an
/// existing file without <see cref="Overwrite"/>, nor over a file this target already wrote (two rows with one
/// name would leave only the second image; -Force replaces earlier runs' files, never this run's). Renders and image
/// cmdlets write through this one class.
/// </summary>
public sealed class OutputTarget
{
    // Path → the item that wrote it; compared as the file system compares names (case-insensitively on Windows and macOS).
    readonly Dictionary<string, string> _written = new(OperatingSystem.IsLinux() ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);
    readonly object _gate = new();

    /// <param name="outFile">A file-system path for the single image, or null.</param>
    /// <param name="outputDirectory">A file-system folder for many images, or null.</param>
    /// <exception cref="ArgumentException">Both are given.</exception>
    public OutputTarget(string? outFile, string? outputDirectory, bool overwrite)
    {
        if (outFile is not null && outputDirectory is not null)
            throw new ArgumentException("OutFile and OutputDirectory are both set; use -OutFile for one image or -OutputDirectory for many.", nameof(outFile));
        OutFile = outFile is null ? null : Path.GetFullPath(outFile);
        OutputDirectory = outputDirectory is null ? null : Path.GetFullPath(outputDirectory);
        Overwrite = overwrite;
    }

    /// <summary>Images stay in memory.</summary>
    public static OutputTarget InMemory { get; } = new(null, null, false);

    public string? OutFile { get; }

    public string? OutputDirectory { get; }

    public bool Overwrite { get; }

    /// <summary>The file an image named <paramref name="name"/> goes to, or null when images stay in memory.</summary>
    public string? PathFor(string name) =>
        OutFile ?? (OutputDirectory is null ? null : OutputFileName.InDirectory(OutputDirectory, name));

    /// <summary>Checks, before the work, that <paramref name="path"/> can be written and is this target's one file at most once.</summary>
    /// <param name="item">How errors name the item being written, e.g. "Row 'Drill'".</param>
    /// <exception cref="OutFileWithSeveralImagesException">-OutFile already received an image.</exception>
    /// <exception cref="DuplicateOutputException">An earlier item of this target wrote the same file.</exception>
    /// <exception cref="OutputExistsException">The file exists and overwriting was not asked for.</exception>
    /// <exception cref="OutputNotWritableException">The folder cannot be written.</exception>
    public void EnsureWritable(string path, string item)
    {
        lock (_gate) EnsureUnwritten(path, item);
        AtomicFileWriter.EnsureWritable(path, Overwrite);
    }

    /// <summary>Writes <paramref name="image"/> as PNG to <paramref name="path"/>, atomically.</summary>
    public void Write(RgbaImage image, string path, string item)
    {
        lock (_gate)
        {
            EnsureUnwritten(path, item);
            _written.Add(Path.GetFullPath(path), item);
        }
        ImageCodec.WritePng(image, path, Overwrite);
    }

    void EnsureUnwritten(string path, string item)
    {
        if (OutFile is not null && _written.Count > 0) throw new OutFileWithSeveralImagesException(OutFile);
        if (_written.TryGetValue(Path.GetFullPath(path), out var first)) throw new DuplicateOutputException(path, first, item);
    }
}
