namespace NanoBanana.Runs;

/// <summary>
/// A run read as one (Get-RenderRun): per shard, how many rows are done, failed or pending, and every failure with its
/// row and error id. A row is done when every stage it went through is done for the newest version of its work (hash), failed when
/// one stage's newest outcome is a failure, pending when it has no line or a stage started and never ended (a worker
/// killed or cancelled mid-row). Rows come from the catalogue when one is given, else from the record.
/// </summary>
public sealed record RunSummary(IReadOnlyList<ShardSummary> Shards, IReadOnlyList<RunFailure> Failures, IReadOnlyDictionary<string, RowState> Rows, int TornLines)
{
    public int Done => Shards.Sum(s => s.Done);

    public int Failed => Shards.Sum(s => s.Failed);

    public int Pending => Shards.Sum(s => s.Pending);

    /// <param name="catalogueKeys">Every row's key, or null to summarise only the rows the record names.</param>
    /// <param name="shardCount">How the rows are split; null: the count the record's lines carry (1 when none does).</param>
    /// <exception cref="CatalogueKeyException">The catalogue has a missing or duplicated key.</exception>
    /// <exception cref="ShardException">The count is below 1.</exception>
    public static RunSummary Of(RunHistory history, IReadOnlyList<string?>? catalogueKeys = null, int? shardCount = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (catalogueKeys is not null) CatalogueShard.CheckKeys(catalogueKeys);
        int count = shardCount ?? history.Entries.Select(e => e.ShardCount).LastOrDefault(c => c is not null) ?? 1;
        _ = new Shard(0, count, shardCount is null ? "the run record" : "-ShardCount");

        var byKey = history.Entries.GroupBy(e => e.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        IEnumerable<string> keys = catalogueKeys?.Select(k => k!.Trim()) ?? byKey.Keys;
        var rows = new Dictionary<string, RowState>(StringComparer.Ordinal);
        var failures = new List<RunFailure>();
        foreach (string key in keys)
        {
            var state = RowState.Pending;
            if (byKey.TryGetValue(key, out var lines))
            {
                var stages = lines.GroupBy(e => e.Stage).Select(g => (Stage: g.Key, State: StageState(g.ToList(), out var failed), Failure: failed)).ToList();
                if (stages.FirstOrDefault(s => s.State == RowState.Failed) is { Failure: { } failure })
                {
                    state = RowState.Failed;
                    failures.Add(new RunFailure(key, Shard.Of(key, count), failure.Stage, failure.ErrorId, failure.Error, failure.Host, failure.Worker, failure.At));
                }
                else if (stages.All(s => s.State == RowState.Done))
                    state = RowState.Done;
            }
            rows[key] = state;
        }
        var shards = Enumerable.Range(0, count).Select(i =>
        {
            var mine = rows.Where(r => Shard.Of(r.Key, count) == i).Select(r => r.Value).ToList();
            return new ShardSummary(i, count, mine.Count(s => s == RowState.Done), mine.Count(s => s == RowState.Failed), mine.Count(s => s == RowState.Pending));
        }).ToList();
        return new RunSummary(shards, failures, rows, history.TornLines);
    }

    // A stage is done when a done line carries the hash of its newest line: the current version of the work was
    // completed by some worker (a second worker given the same shard by mistake then fails with OutputExists, which
    // changes nothing). Otherwise its newest ending line decides: failed, or pending when it only started.
    static RowState StageState(List<RunRecordEntry> lines, out RunRecordEntry? failure)
    {
        failure = null;
        string current = lines[^1].Hash;
        if (lines.Any(e => e.Status == RunStatus.Done && e.Hash == current)) return RowState.Done;
        var ended = lines.LastOrDefault(e => e.Status != RunStatus.Started);
        if (ended is { Status: RunStatus.Failed } && ended.Hash == current)
        {
            failure = ended;
            return RowState.Failed;
        }
        return RowState.Pending;
    }
}

public enum RowState
{
    Pending,
    Done,
    Failed,
}

public sealed record ShardSummary(int Index, int Count, int Done, int Failed, int Pending);

/// <summary>A row whose newest line at some stage is a failure.</summary>
public sealed record RunFailure(string Key, int Shard, string Stage, string? ErrorId, string? Error, string Host, string Worker, DateTimeOffset At);
