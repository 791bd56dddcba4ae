using System.Diagnostics;
using NanoBanana.Runtime;

namespace NanoBanana.Bench;

internal static class Measure
{
    /// <summary>Best wall time of <paramref name="runs"/> runs after one warm-up.</summary>
    public static TimeSpan Best(int runs, Action action)
    {
        action();
        var best = TimeSpan.MaxValue;
        for (int i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            if (sw.Elapsed < best) best = sw.Elapsed;
        }
        return best;
    }

    /// <summary>The process's peak resident memory (VmHWM) in MiB, as the engine reports it for a render.</summary>
    public static double PeakMiB() => NanoBanana.Runtime.ProcessMemory.PeakBytes() / 1048576.0;

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NanoBanana.PowerShell.sln"))) return dir.FullName;
        throw new InvalidOperationException("Run from inside the repository.");
    }

    /// <summary>Runs this benchmark again in a child process, so a scenario's peak memory is its own.</summary>
    public static string Child(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
        start.ArgumentList.Add(typeof(Measure).Assembly.Location);
        foreach (var a in args) start.ArgumentList.Add(a);
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) != "dotnet") start.ArgumentList.RemoveAt(0);
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return output;
    }
}
