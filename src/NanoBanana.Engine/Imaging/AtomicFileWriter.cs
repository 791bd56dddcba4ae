namespace NanoBanana.Imaging;

/// <summary>
/// Writes a file so that readers only ever see the old content or the complete new one: the bytes go to a
/// temporary file in the same folder, which is then renamed over the target. On any failure the
/// temporary file is removed, so nothing half-written is left on disk.
/// </summary>
public static class AtomicFileWriter
{
    public static void Write(string path, ReadOnlySpan<byte> content, bool overwrite)
    {
        string fullPath = Path.GetFullPath(path);
        if (!overwrite && File.Exists(fullPath)) throw new OutputExistsException(fullPath);
        string directory = Path.GetDirectoryName(fullPath)!;
        string temp = TempPath(fullPath);
        try
        {
            Directory.CreateDirectory(directory);
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            if (overwrite) File.Move(temp, fullPath, overwrite: true);
            else MoveWithoutOverwrite(temp, fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && ex is not OutputExistsException)
        {
            throw new OutputNotWritableException(fullPath, ex);
        }
        finally
        {
            TryDelete(temp);
        }
    }

    /// <summary>
    /// Checks, before expensive work (a render), that <see cref="Write"/> to <paramref name="path"/> can succeed:
    /// the target is free (unless <paramref name="overwrite"/>), its folder exists or can be created, and a file
    /// can be created there (a probe, deleted on close).
    /// </summary>
    public static void EnsureWritable(string path, bool overwrite)
    {
        string fullPath = Path.GetFullPath(path);
        if (!overwrite && File.Exists(fullPath)) throw new OutputExistsException(fullPath);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
            using var probe = new FileStream(TempPath(fullPath), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OutputNotWritableException(fullPath, ex);
        }
    }

    // Hidden, unique and in the target's own folder, so the final rename never crosses file systems.
    private static string TempPath(string fullPath) =>
        Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");

    private static void MoveWithoutOverwrite(string temp, string target)
    {
        try
        {
            File.Move(temp, target, overwrite: false);
        }
        catch (IOException) when (File.Exists(target))
        {
            // Another writer got there between our check and the rename.
            throw new OutputExistsException(target);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path)) File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
