using System.Diagnostics;
using System.Text;
using System.Text.Json;
using NanoBanana.PowerShell.Tests.Hosting;
using Xunit.Abstractions;

namespace NanoBanana.PowerShell.Tests.Slurm;

/// <summary>
/// examples/scale-out/render-array.sbatch on a real one-node Slurm cluster (slurm-array-test.sh installs Debian's
/// Slurm 22.05 and munge, starts the daemons and stops them by PID): a 4-task array over a 61-row catalogue (60
/// products and one invalid row) on the tiny synthetic model; task 1 is cancelled with scancel and task 3 killed
/// with SIGKILL, each mid-row; the same array is resubmitted. Skipped, with the reason, where Slurm cannot be
/// installed or no pwsh can be had. The workers run real pwsh: $NANOBANANA_PWSH, else the repository's local .NET
/// tool (dotnet pwsh), else pwsh on the PATH.
/// </summary>
public sealed class SlurmArrayTests(ITestOutputHelper output)
{
    const int Products = 60;

    [SkippableFact]
    public void A_cancelled_and_a_killed_array_task_are_finished_by_resubmitting_with_every_row_rendered_once()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "Slurm runs on Linux only");
        string pwsh = WorkerPwsh(out string? why);
        Skip.If(why is not null, why);
        using var dir = new TempDirectory();
        string model = PrepareModelAndCatalogue(dir, out string catalogue);

        var (exit, log) = Run("bash", [Path.Combine(RepositoryPaths.Root, "tests", "NanoBanana.PowerShell.Tests", "Slurm", "slurm-array-test.sh")], new()
        {
            ["W"] = dir.Path, ["CATALOGUE"] = catalogue, ["MODEL"] = model, ["REPO"] = RepositoryPaths.Root,
            ["RECIPE"] = Path.Combine(RepositoryPaths.Root, "examples", "scale-out", "render-array.sbatch"),
            ["NANOBANANA_PWSH"] = pwsh, ["NANOBANANA_MODULE"] = RepositoryPaths.ModuleManifest,
        });
        output.WriteLine(log);
        Skip.If(exit == 77, log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last());
        Assert.True(exit == 0, $"the Slurm driver failed ({exit}); tasks:\n{ReadOrEmpty(dir.File("tasks.log"))}");

        // The first array: task 1 cancelled, task 3 killed, each after some rows and before its last.
        var first = States(dir.File("states-first.txt"));
        Assert.Equal("CANCELLED", first[1]);
        Assert.NotEqual("COMPLETED", first[3]);
        var afterCancel = Lines(dir.File("record-after-cancel"));
        var filesAfterCancel = File.ReadAllLines(dir.File("files-after-cancel.txt"));
        // A worker stopped between writing and renaming leaves its hidden temporary file (.<name>.png.<host>-<pid>.tmp);
        // it may only belong to a row the record shows as open, and the resubmitted array must remove it.
        string[] strayTemporaries = filesAfterCancel.Where(f => f.EndsWith(".tmp")).ToArray();
        output.WriteLine($"temporary files left by the stopped tasks: {strayTemporaries.Length} {string.Join(", ", strayTemporaries)}");
        filesAfterCancel = filesAfterCancel.Except(strayTemporaries).ToArray();
        var openKeys = new List<string>();
        foreach (int shard in new[] { 1, 3 })
        {
            var mine = afterCancel.Where(l => l.Worker.Contains($"shard{shard}of4")).ToList();
            Assert.Contains(mine, l => l.Status == "Done");
            // Stopped mid-row (or, rarely, between two rows): at most one started line without its end, and that
            // row has neither a done line nor a file.
            var open = mine.Where(l => l.Status == "Started").Select(l => l.Key).Except(mine.Where(l => l.Status != "Started").Select(l => l.Key)).ToList();
            Assert.True(open.Count <= 1, $"shard {shard} left {open.Count} rows open: {string.Join(", ", open)}");
            openKeys.AddRange(open);
            Assert.All(open, key => Assert.DoesNotContain(key + ".png", filesAfterCancel));
            Assert.All(mine.Where(l => l.Status == "Done"), l => Assert.Contains(l.Key + ".png", filesAfterCancel));
        }
        Assert.All(strayTemporaries, f => Assert.Contains(openKeys, key => f.StartsWith($".{key}.png.", StringComparison.Ordinal)));

        // After resubmitting: every product rendered exactly once, nothing half-written, the invalid row listed.
        var lines = Lines(dir.File("out/.nanobanana-run"));
        var doneRenders = lines.Where(l => l.Stage == "render" && l.Status == "Done").GroupBy(l => l.Key).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Enumerable.Range(1, Products).Select(i => $"product {i:D2}").Order(), doneRenders.Keys.Order());
        Assert.All(doneRenders, d => Assert.Equal(1, d.Value));
        string[] files = Directory.GetFiles(dir.File("out")).Select(Path.GetFileName).Order().ToArray()!;
        Assert.Equal(Enumerable.Range(1, Products).Select(i => $"product {i:D2}.png").Order(), files);
        Assert.All(files, f => AssertWholePng(dir.File(Path.Combine("out", f))));
        Assert.All(lines, l => Assert.Equal(l.Shard, (int)l.ShardOfKey));

        using var summary = JsonDocument.Parse(File.ReadAllText(dir.File("summary.json")));
        var run = summary.RootElement;
        Assert.Equal((Products, 1, 0), (run.GetProperty("Done").GetInt32(), run.GetProperty("Failed").GetInt32(), run.GetProperty("Pending").GetInt32()));
        var failure = Assert.Single(run.GetProperty("Failures").EnumerateArray());
        Assert.Equal(("bad row", "InvalidRenderRow"), (failure.GetProperty("Name").GetString(), failure.GetProperty("ErrorId").GetString()));
        Assert.Equal(4, run.GetProperty("Shards").GetArrayLength());
        output.WriteLine(File.ReadAllText(dir.File("summary.json")));
    }

    static string ReadOrEmpty(string path) => File.Exists(path) ? File.ReadAllText(path) : "";

    static Dictionary<int, string> States(string path) =>
        File.ReadAllLines(path).Select(l => l.Split(' ')).ToDictionary(p => int.Parse(p[0]), p => p.Length > 1 ? p[1] : "");

    static void AssertWholePng(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        Assert.Equal("IEND", Encoding.ASCII.GetString(bytes, bytes.Length - 8, 4));
    }

    sealed record Line(string Key, string Stage, string Status, string Worker, int Shard, long ShardOfKey);

    static List<Line> Lines(string folder) =>
        Directory.GetFiles(folder, "*.jsonl").SelectMany(File.ReadAllLines).Select(text =>
        {
            using var json = JsonDocument.Parse(text);
            var r = json.RootElement;
            string key = r.GetProperty("key").GetString()!;
            return new Line(key, r.GetProperty("stage").GetString()!, r.GetProperty("status").GetString()!, r.GetProperty("worker").GetString()!,
                r.GetProperty("shardIndex").GetInt32(), ShardOf(key, 4));
        }).ToList();

    // The shard rule (SHA-256 of the key, first 8 bytes big-endian, modulo the count), restated so the test checks each
    // worker only rendered its own rows.
    static long ShardOf(string key, int count)
    {
        byte[] hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(key.Trim()));
        return (long)(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(hash) % (ulong)count);
    }

    static string PrepareModelAndCatalogue(TempDirectory dir, out string catalogue)
    {
        using var ps = new PowerShellSession(dir.Path);
        ps.Run("$null = New-SyntheticModel -Path tiny-sdxl -Seed 5").AssertSuccess();
        var csv = new StringBuilder("Name,Description,Seed,Steps,Width,Height\n");
        for (int i = 1; i <= Products; i++) csv.Append($"product {i:D2},widget number {i},{i},2,64,64\n");
        csv.Append("bad row,a row whose width is not a multiple of 64,7,2,1000,64\n");
        catalogue = dir.File("catalogue.csv");
        File.WriteAllText(catalogue, csv.ToString());
        return dir.File("tiny-sdxl");
    }

    /// <summary>The command that runs a PowerShell script file in the array tasks.</summary>
    static string WorkerPwsh(out string? why)
    {
        why = null;
        if (Environment.GetEnvironmentVariable("NANOBANANA_PWSH") is { Length: > 0 } given) return given;
        const string flags = "-NoLogo -NoProfile -NonInteractive -File";
        if (File.Exists(Path.Combine(RepositoryPaths.Root, ".config", "dotnet-tools.json")))
        {
            var (exit, log) = Run("dotnet", ["tool", "restore"], new());
            if (exit == 0) return $"dotnet pwsh {flags}";
            why = $"'dotnet tool restore' could not restore pwsh ({exit}): {log.Trim()}";
        }
        if (Run("sh", ["-c", "command -v pwsh"], new()).Exit == 0) { why = null; return $"pwsh {flags}"; }
        why ??= "no pwsh: set NANOBANANA_PWSH, or restore the repository's local tool (dotnet tool restore)";
        return "";
    }

    static (int Exit, string Log) Run(string file, string[] arguments, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = RepositoryPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true); // our own child, by its handle
            return (-1, log + "\n(timed out after 10 minutes)");
        }
        process.WaitForExit();
        return (process.ExitCode, log.ToString());
    }
}
