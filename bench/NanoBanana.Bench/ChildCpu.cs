using System.Runtime.InteropServices;

namespace NanoBanana.Bench;

/// <summary>User + system CPU seconds of this process's terminated, waited-for children (getrusage RUSAGE_CHILDREN).</summary>
internal static partial class ChildCpu
{
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeVal { public long Seconds, Microseconds; }

    // struct rusage on 64-bit Linux: two timevals, then 14 longs.
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct RUsage { public TimeVal User, System; public fixed long Rest[14]; }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrusage(int who, out RUsage usage);

    public static double Seconds()
    {
        if (getrusage(-1, out var usage) != 0) throw new InvalidOperationException($"getrusage failed: errno {Marshal.GetLastPInvokeError()}");
        return usage.User.Seconds + usage.User.Microseconds / 1e6 + usage.System.Seconds + usage.System.Microseconds / 1e6;
    }
}
