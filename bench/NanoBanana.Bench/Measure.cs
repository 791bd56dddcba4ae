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
        using var process = StartChild(null, args);
        string output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return output;
    }

    /// <summary>Starts this benchmark, or the build at <paramref name="build"/>, in a child process that reads its
    /// standard input (a worker the caller drives).</summary>
    public static Process StartChild(string? build, params string[] args)
    {
        // Started as "dotnet NanoBanana.Bench.dll" or through the build's own launcher; another build runs through dotnet.
        bool launcher = Path.GetFileNameWithoutExtension(Environment.ProcessPath) != "dotnet";
        var start = new ProcessStartInfo(launcher && build is not null ? "dotnet" : Environment.ProcessPath!)
        {
            RedirectStandardOutput = true, RedirectStandardInput = true,
        };
        if (!launcher || build is not null) start.ArgumentList.Add(build ?? typeof(Measure).Assembly.Location);
        foreach (var a in args) start.ArgumentList.Add(a);
        return Process.Start(start)!;
    }
}

/// <summary>Reports on the calling thread, so a step's clock reading is taken when the step ends.</summary>
internal sealed class SynchronousProgress(Action<NanoBanana.Pipeline.DenoiseProgress> report) : IProgress<NanoBanana.Pipeline.DenoiseProgress>
{
    public void Report(NanoBanana.Pipeline.DenoiseProgress value) => report(value);
}
