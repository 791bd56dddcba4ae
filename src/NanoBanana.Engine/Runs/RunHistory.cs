using System.Text;
using System.Text.Json;

namespace NanoBanana.Runs;

/// <summary>
/// Every worker file of a run record folder read as one run. A file's last line without its newline is a write
/// that was torn (the machine stopped mid-append) and is ignored, counted in <see cref="TornLines"/>; any other
/// unreadable line is an error naming the file and line.
/// </summary>
public sealed class RunHistory
{
    readonly Dictionary<(string Key, string Stage), RunRecordEntry> _latestDone = new();
    readonly ILookup<(string Key, string Stage), RunRecordEntry> _unfinished;

    RunHistory(IReadOnlyList<RunRecordEntry> entries, int tornLines)
    {
        Entries = entries;
        TornLines = tornLines;
        var open = new Dictionary<(string Worker, string Key, string Stage), RunRecordEntry>();
        foreach (var entry in entries) // in time order
        {
            if (entry.Status == RunStatus.Done) _latestDone[(entry.Key, entry.Stage)] = entry;
            if (entry.Status == RunStatus.Started) open[(entry.Worker, entry.Key, entry.Stage)] = entry;
            else open.Remove((entry.Worker, entry.Key, entry.Stage));
        }
        _unfinished = open.Values.ToLookup(e => (e.Key, e.Stage));
    }

    public static RunHistory Empty { get; } = new([], 0);

    /// <summary>Every line of every worker file, oldest first.</summary>
    public IReadOnlyList<RunRecordEntry> Entries { get; }

    public int TornLines { get; }

    /// <summary>The worker files are <c>*.jsonl</c> directly in <paramref name="folder"/>; a missing folder is an empty run.</summary>
    /// <exception cref="RunRecordException">A line in the middle of a file is not a record.</exception>
    public static RunHistory Read(string folder)
    {
        if (!Directory.Exists(folder)) return Empty;
        var entries = new List<RunRecordEntry>();
        int torn = 0;
        foreach (string file in Directory.EnumerateFiles(folder, "*.jsonl").Order(StringComparer.Ordinal))
        {
            string text;
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            using (var reader = new StreamReader(stream, Encoding.UTF8))
                text = reader.ReadToEnd();
            string[] lines = text.Split('\n');
            // The piece after the last newline is empty for a complete file, a torn write otherwise.
            if (lines[^1].Length > 0) torn++;
            for (int i = 0; i < lines.Length - 1; i++)
            {
                if (lines[i].Length == 0) continue;
                try
                {
                    entries.Add(JsonSerializer.Deserialize<RunRecordEntry>(lines[i], RunRecordFile.Json)
                                ?? throw new JsonException("the line is 'null'"));
                }
                catch (JsonException e)
                {
                    throw new RunRecordException($"The run record '{file}' line {i + 1} is not a record ({e.Message}); remove that line or the file to read the run.", e);
                }
            }
        }
        return new RunHistory(entries.OrderBy(e => e.At).ToList(), torn);
    }

    /// <summary>The newest done line of a row's stage, or null.</summary>
    public RunRecordEntry? LatestDone(string key, string stage) => _latestDone.GetValueOrDefault((key.Trim(), stage));

    /// <summary>
    /// The started lines of a row's stage that no done or failed line of the same worker ended: the worker was stopped
    /// mid-stage (killed, cancelled, its machine lost) — or, when two workers were given the same rows by mistake, is
    /// still at work.
    /// </summary>
    public IEnumerable<RunRecordEntry> Unfinished(string key, string stage) => _unfinished[(key.Trim(), stage)];

    /// <summary>
    /// Whether a row's stage can be skipped on resume: its newest done line has this <paramref name="hash"/> and this
    /// <paramref name="output"/> (when it writes one), and that file exists. A changed prompt, seed or setting changes
    /// the hash; a deleted output means the work is redone.
    /// </summary>
    public bool IsDone(string key, string stage, string hash, string? output)
    {
        if (LatestDone(key, stage) is not { } done || done.Hash != hash) return false;
        if (output is null) return done.Output is null;
        return string.Equals(done.Output, Path.GetFullPath(output), StringComparison.Ordinal) && File.Exists(output);
    }

    /// <summary>
    /// What a resumed worker does with a row whose render hash is <paramref name="renderHash"/>: render it unless its render
    /// is done (<see cref="IsDone"/>); skip it when every later stage this run has recorded for any row (upscale,
    /// sharpen) is also done for this row, each made from the previous one's output and with its file present; else
    /// hand the rendered image on so the later stages finish it.
    /// </summary>
    public RowResume ResumeOf(string key, string renderHash, string? output)
    {
        if (!IsDone(key, RunStage.Render, renderHash, output)) return RowResume.Render;
        string input = renderHash;
        foreach (string stage in Stages.Where(s => s != RunStage.Render))
        {
            if (LatestDone(key, stage) is not { } done || done.Input != input || (done.Output is { } file && !File.Exists(file)))
                return RowResume.FinishLaterStages;
            input = done.Hash;
        }
        return RowResume.Skip;
    }

    /// <summary>The stages any row went through in this run, in first-seen order (e.g. render, upscale, sharpen).</summary>
    public IReadOnlyList<string> Stages => Entries.Select(e => e.Stage).Distinct().ToList();
}

/// <summary>What -Resume does with one row (<see cref="RunHistory.ResumeOf"/>).</summary>
public enum RowResume
{
    Render,
    FinishLaterStages,
    Skip,
}
