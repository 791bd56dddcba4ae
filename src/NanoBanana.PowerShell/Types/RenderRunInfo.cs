using NanoBanana.Runs;

namespace NanoBanana;

/// <summary>A run record read as one run (Get-RenderRun): totals, the counts of each shard, and every failed row.</summary>
public sealed class RenderRunInfo
{
    internal RenderRunInfo(string folder, RunSummary summary, int workers)
    {
        Folder = folder;
        Done = summary.Done;
        Failed = summary.Failed;
        Pending = summary.Pending;
        Workers = workers;
        TornLines = summary.TornLines;
        Shards = summary.Shards.Select(s => new RenderRunShard(s.Index, s.Count, s.Done, s.Failed, s.Pending)).ToArray();
        Failures = summary.Failures.Select(f => new RenderRunFailure(f.Key, f.Shard, f.Stage, f.ErrorId, f.Error, f.Host, f.Worker, f.At)).ToArray();
    }

    /// <summary>The record folder read.</summary>
    public string Folder { get; }

    public int Done { get; }

    public int Failed { get; }

    /// <summary>Rows not done nor failed: never started, or started by a worker that was stopped mid-row.</summary>
    public int Pending { get; }

    /// <summary>How many worker files the run has.</summary>
    public int Workers { get; }

    /// <summary>Last lines cut short by a machine stopping mid-write (ignored).</summary>
    public int TornLines { get; }

    public RenderRunShard[] Shards { get; }

    public RenderRunFailure[] Failures { get; }

    public override string ToString() => $"{Done} done, {Failed} failed, {Pending} pending";
}

/// <summary>One shard's counts.</summary>
public sealed record RenderRunShard(int Shard, int ShardCount, int Done, int Failed, int Pending);

/// <summary>A row whose newest outcome at some stage is a failure: its key, shard, stage, error id and message, and where it ran.</summary>
public sealed record RenderRunFailure(string Name, int Shard, string Stage, string? ErrorId, string? Error, string Host, string Worker, DateTimeOffset At);
