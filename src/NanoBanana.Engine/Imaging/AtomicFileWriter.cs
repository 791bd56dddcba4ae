namespace NanoBanana.Imaging;

/// <summary>
/// Writes a file so that readers only ever see the old content or the complete new one: the bytes go to a
/// temporary file in the same folder, which is then renamed over the target. On any failure the
/// temporary file is removed, so nothing half-written is left on disk. A process killed before the rename
/// cannot remove it; the temporary file is therefore named after the writing process
/// (<see cref="TemporaryPath"/>), so a later run that knows which process was writing which file (the run
/// record's unfinished steps) can remove exactly it with <see cref="RemoveAbandoned"/>.
/// </summary>
public static class AtomicFileWriter
{
    // The targets this process is writing now: the temporary name is per process, so two writes of one target must not
    // overlap (see Claim).
    static readonly HashSet<string> InFlight = new(StringComparer.Ordinal);

    public static void Write(string path, ReadOnlySpan<byte> content, bool overwrite)
    {
        string fullPath = Path.GetFullPath(path);
        if (!overwrite && File.Exists(fullPath)) throw new OutputExistsException(fullPath);
        string directory = Path.GetDirectoryName(fullPath)!;
        string temp = OwnTemporaryPath(fullPath);
        using var claim = Claim(fullPath);
        try
        {
            Directory.CreateDirectory(directory);
            // Create, not CreateNew: a file with this process's name is a leftover of a killed process that had the same
            // host and id, never a live write (Claim serialises this process's writes of one target).
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
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
        using var claim = Claim(fullPath);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
            using var probe = new FileStream(OwnTemporaryPath(fullPath), FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OutputNotWritableException(fullPath, ex);
        }
    }

    /// <summary>
    /// The temporary file a process on <paramref name="host"/> with id <paramref name="processId"/> writes before renaming
    /// it to <paramref name="fullPath"/>: hidden and in the target's own folder, so the rename never crosses file systems.
    /// The host enters as a CRC-32, so the name stays within the file system's name limit for the longest output names.
    /// </summary>
    public static string TemporaryPath(string fullPath, string host, int processId) =>
        Path.Combine(Path.GetDirectoryName(fullPath)!,
            $".{Path.GetFileName(fullPath)}.{Crc32.Compute(System.Text.Encoding.UTF8.GetBytes(host)):x8}-{processId}.tmp");

    /// <summary>
    /// Removes the temporary file that the process <paramref name="processId"/> on <paramref name="host"/> left for
    /// <paramref name="path"/> when it was stopped mid-write; nothing when there is none or it is this process's own
    /// write under way. Returns whether a file was removed.
    /// </summary>
    public static bool RemoveAbandoned(string path, string host, int processId)
    {
        string fullPath = Path.GetFullPath(path);
        string temp = TemporaryPath(fullPath, host, processId);
        lock (InFlight)
            if (temp == OwnTemporaryPath(fullPath) && InFlight.Contains(fullPath)) return false;
        if (!File.Exists(temp)) return false;
        TryDelete(temp);
        return !File.Exists(temp);
    }

    static string OwnTemporaryPath(string fullPath) => TemporaryPath(fullPath, Environment.MachineName, Environment.ProcessId);

    // Waits while another thread of this process writes the same target: the writes then happen one after the other,
    // as two processes' renames would, and the later one meets the earlier one's file (OutputExists without overwrite).
    static Release Claim(string fullPath)
    {
        lock (InFlight)
            while (!InFlight.Add(fullPath)) Monitor.Wait(InFlight);
        return new Release(fullPath);
    }

    readonly struct Release(string fullPath) : IDisposable
    {
        public void Dispose()
        {
            lock (InFlight)
            {
                InFlight.Remove(fullPath);
                Monitor.PulseAll(InFlight);
            }
        }
    }

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
