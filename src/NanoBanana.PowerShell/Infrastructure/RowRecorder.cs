using System.Management.Automation;
using NanoBanana.Catalogue;
using NanoBanana.Lora;
using NanoBanana.Runs;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>
/// New-ExplodedView's side of the run record: one <see cref="RenderRun"/> per record folder the rows name (read once,
/// when the first row reaches it), the current row's started step, and the line a failed row leaves — so the
/// cmdlet only says when a row begins, is decided, starts, ends or fails.
/// </summary>
internal sealed class RowRecorder
{
    /// <summary>The note property Select-CatalogueShard puts on each row it passes ("index/count").</summary>
    public const string ShardProperty = "NanoBananaShard";

    readonly Dictionary<string, RenderRun> _runs = new(StringComparer.Ordinal);
    RenderRun? _run;
    RenderRun.RunStep? _step;
    string? _key;

    /// <summary>Starts a row: its record folder (null: not recorded), its key when known, and the piped row (for its shard mark).</summary>
    public void BeginRow(string? folder, string? key, PSObject? row)
    {
        _step = null;
        _key = string.IsNullOrWhiteSpace(key) ? null : key.Trim();
        _run = folder is null ? null : _runs.TryGetValue(folder, out var run) ? run : _runs[folder] = new RenderRun(folder, ShardOf(row));
    }

    public bool Recording => _run is not null;

    /// <summary>The render's hash and what -Resume does with it; <see cref="RowResume.Render"/> whenever not resuming.</summary>
    public (string Hash, RowResume Resume) Decide(RenderJob job, LoraRegistry loras, bool resume)
    {
        _key = job.Name;
        string hash = _run!.HashOf(job, loras);
        return (hash, resume ? _run.History.ResumeOf(job.Name, hash, job.OutputPath) : RowResume.Render);
    }

    public RunTrace Start(RenderJob job, string hash)
    {
        _step = _run!.Start(job.Name, RunStage.Render, hash, job.OutputPath);
        return new RunTrace(_run, job.Name, hash);
    }

    public RunTrace Trace(RenderJob job, string hash) => new(_run!, job.Name, hash);

    public void Done() => _step?.Done();

    /// <summary>The row's failed line: its started step's, or a line of its own when it failed before starting (a bad cell).</summary>
    public void Failed(ErrorRecord error)
    {
        string id = ErrorIds.Of(error);
        try
        {
            if (_step is not null) _step.Failed(id, error.ToString());
            else if (_run is not null && _key is not null) _run.Failed(_key, RunStage.Render, id, error.ToString());
        }
        catch (IOException)
        {
            // The record's folder cannot be written (often the very error being reported): the row's error stands alone.
        }
        _step = null;
    }

    static Shard? ShardOf(PSObject? row)
    {
        if (row?.Properties[ShardProperty]?.Value is not string mark) return null;
        var parts = mark.Split('/');
        return new Shard(int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), nameof(ShardProperty));
    }
}
