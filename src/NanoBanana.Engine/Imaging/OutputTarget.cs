namespace NanoBanana.Imaging;

/// <summary>
/// Where one command's images go — one file (-OutFile), a folder (-OutputDirectory, each image under its own
/// sanitised name) or nowhere (they stay in memory) — and the rules every writer follows: not both at once; one file
/// takes one image; a file is checked writable before the expensive work, written atomically, and never over an
/// existing file without <see cref="Overwrite"/>. Renders and image cmdlets write through this one class.
/// </summary>
public sealed class OutputTarget
{
    readonly HashSet<string> _written = new(StringComparer.Ordinal);
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
    /// <exception cref="OutFileWithSeveralImagesException">-OutFile already received an image.</exception>
    /// <exception cref="OutputExistsException">The file exists and overwriting was not asked for.</exception>
    /// <exception cref="OutputNotWritableException">The folder cannot be written.</exception>
    public void EnsureWritable(string path)
    {
        lock (_gate)
            if (OutFile is not null && _written.Count > 0) throw new OutFileWithSeveralImagesException(OutFile);
        AtomicFileWriter.EnsureWritable(path, Overwrite);
    }

    /// <summary>Writes <paramref name="image"/> as PNG to <paramref name="path"/>, atomically.</summary>
    public void Write(RgbaImage image, string path)
    {
        lock (_gate)
        {
            if (OutFile is not null && _written.Count > 0) throw new OutFileWithSeveralImagesException(OutFile);
            _written.Add(path);
        }
        ImageCodec.WritePng(image, path, Overwrite);
    }
}
