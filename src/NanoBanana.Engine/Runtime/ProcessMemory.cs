using System.Diagnostics;

namespace NanoBanana.Runtime;

/// <summary>
/// The process's peak resident memory, which on the CPU is the "device memory" a render used. On Linux the
/// peak (VmHWM) can be reset, so each render reports its own peak; elsewhere the process-lifetime peak is reported.
/// </summary>
public static class ProcessMemory
{
    const string Status = "/proc/self/status", ClearRefs = "/proc/self/clear_refs";

    /// <summary>Starts a new peak measurement (Linux: writes 5 to clear_refs, which resets VmHWM to the current RSS).</summary>
    public static void ResetPeak()
    {
        if (!OperatingSystem.IsLinux()) return;
        try { File.WriteAllText(ClearRefs, "5"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* not permitted: the lifetime peak is reported */ }
    }

    /// <summary>Peak resident bytes since <see cref="ResetPeak"/> (or process start).</summary>
    public static long PeakBytes()
    {
        if (OperatingSystem.IsLinux() && ReadStatusKilobytes("VmHWM:") is long kb) return kb * 1024;
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

    public static long CurrentBytes()
    {
        if (OperatingSystem.IsLinux() && ReadStatusKilobytes("VmRSS:") is long kb) return kb * 1024;
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64;
    }

    static long? ReadStatusKilobytes(string field)
    {
        foreach (string line in File.ReadLines(Status))
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        return null;
    }
}
