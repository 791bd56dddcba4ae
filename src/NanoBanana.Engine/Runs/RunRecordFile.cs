using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace NanoBanana.Runs;

/// <summary>
/// Appends to a worker's JSONL file. Each entry is one whole line handed to a single <c>write()</c> on a descriptor
/// opened with <c>O_APPEND</c>, then <c>fsync</c>'d and closed: the kernel places each line at the end atomically, so even
/// two processes appending to one file never interleave bytes, a line is on disk before the next stage starts, and no
/// descriptor outlives the call (a stopped pipeline leaks nothing). On Windows, where this is a plain append stream,
/// each worker writing its own file is what keeps lines whole.
/// </summary>
public static partial class RunRecordFile
{
    internal static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <exception cref="Imaging.OutputNotWritableException">The record's folder or file cannot be created or opened.</exception>
    /// <exception cref="IOException">The line could not be written whole or synced.</exception>
    public static void Append(string path, RunRecordEntry entry)
    {
        path = Path.GetFullPath(path);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Imaging.OutputNotWritableException(path, e);
        }
        byte[] line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, Json) + "\n");
        if (OperatingSystem.IsWindows())
        {
            using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            stream.Write(line);
            stream.Flush(flushToDisk: true);
            return;
        }
        int fd = open(path, OpenFlags(), 0b110_100_100); // 0644
        if (fd < 0) throw new Imaging.OutputNotWritableException(path, new IOException($"open for appending failed (errno {Marshal.GetLastPInvokeError()})."));
        try
        {
            nint written = write(fd, line, line.Length);
            if (written != line.Length)
                throw new IOException($"Appending to the run record '{path}' wrote {written} of {line.Length} bytes (errno {Marshal.GetLastPInvokeError()}); is the disk full?");
            if (fsync(fd) != 0)
                throw new IOException($"Syncing the run record '{path}' failed (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            close(fd);
        }
    }

    // O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC: Linux's values, else the BSD/macOS ones.
    static int OpenFlags() => OperatingSystem.IsLinux() ? 0x1 | 0x40 | 0x400 | 0x80000 : 0x1 | 0x200 | 0x8 | 0x1000000;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint write(int fd, byte[] buffer, nint count);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int close(int fd);
}
