using System.Globalization;
using System.Runtime.InteropServices;
using NanoBanana.Onnx;
using NanoBanana.Onnx.Proto;

namespace NanoBanana.Runtime;

/// <summary>
/// The weights a CPU session reads straight from its model's data file. Built without graph optimisation or
/// pre-packing, an ONNX Runtime session maps each external initializer into memory (one mapping per tensor, from the
/// page holding its first byte) instead of copying it. Dropping those pages from the process
/// (<c>madvise(MADV_DONTNEED)</c>) gives the weights' memory back while the session stays; its next run faults them
/// in again from the page cache. So a streamed UNet segment costs a page-out per step instead of a session creation
/// (Small SDXL, Balanced at 512²: 0.71 s per step against 0.81–0.85 s; bench/RESULTS.md). Linux only: elsewhere the
/// segment's session is released and created again.
/// </summary>
public sealed partial class MappedWeights
{
    const int MADV_DONTNEED = 4; // linux/mman.h

    MappedWeights(IReadOnlyList<(nint Start, long Length)> ranges) => Ranges = ranges;

    /// <summary>Whether mapped weights can be paged out here: Linux, whose /proc/self/maps shows the mappings.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>The mappings, by address and length.</summary>
    public IReadOnlyList<(nint Start, long Length)> Ranges { get; }

    /// <summary>Finds the mappings of <paramref name="graph"/>'s external initializers (files under
    /// <paramref name="externalDataFolder"/>) in this process, as a session built from it made them; null when some
    /// tensor is not mapped (the session copied it), since paging out the rest would leave it resident, and where
    /// paging is not supported.</summary>
    public static MappedWeights? Find(ModelProto graph, string externalDataFolder)
    {
        if (!IsSupported) return null;
        long page = Environment.SystemPageSize;
        long PageUp(long bytes) => (bytes + page - 1) / page * page;
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        // A mapping as the kernel lists it: the file's canonical path, the page holding the tensor's first byte, and
        // the end of the page holding its last.
        var wanted = new HashSet<(string Path, long Offset, long End)>();
        foreach (var tensor in graph.Graph.Initializer)
        {
            var info = InitializerInfo.From(tensor, externalDataFolder);
            if (!info.IsExternal || info.ByteLength == 0) continue;
            if (!files.TryGetValue(info.ExternalLocation!, out string? file))
                files[info.ExternalLocation!] = file = CanonicalPath(Path.Combine(externalDataFolder, info.ExternalLocation!));
            wanted.Add((file, info.ExternalOffset / page * page, PageUp(info.ExternalOffset + info.ByteLength)));
        }
        var ranges = new List<(nint, long)>();
        var found = new HashSet<(string, long, long)>();
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            // start-end perms offset dev inode path (the path may hold spaces: it is the rest of the line)
            string[] fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6) continue;
            string[] span = fields[0].Split('-');
            long start = long.Parse(span[0], NumberStyles.HexNumber), end = long.Parse(span[1], NumberStyles.HexNumber);
            long fileOffset = long.Parse(fields[2], NumberStyles.HexNumber);
            var mapping = (fields[5], fileOffset, fileOffset + end - start);
            if (!wanted.Contains(mapping)) continue;
            ranges.Add(((nint)start, end - start));
            found.Add(mapping);
        }
        return found.Count == wanted.Count ? new MappedWeights(ranges) : null;
    }

    /// <summary>The path the kernel lists a mapped file under: absolute, with every symbolic link resolved.</summary>
    static string CanonicalPath(string path)
    {
        nint resolved = realpath(path, 0);
        if (resolved == 0) return Path.GetFullPath(path);
        try { return Marshal.PtrToStringUTF8(resolved)!; }
        finally { Marshal.FreeHGlobal(resolved); }
    }

    /// <summary>Drops the mappings' pages from the process; the file and the mappings stay. False when the kernel
    /// refused one (the caller then releases the session instead).</summary>
    public bool PageOut() => Ranges.All(r => madvise(r.Start, (nuint)r.Length, MADV_DONTNEED) == 0);

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint realpath(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int madvise(nint address, nuint length, int advice);
}
