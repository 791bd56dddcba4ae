using System.Diagnostics;
using System.Globalization;
using NanoBanana.Catalogue;
using NanoBanana.Lora;

namespace NanoBanana.Runs;

/// <summary>
/// One worker's part in a run: the record folder's history as it was when the worker started (what -Resume decides
/// from) and the worker's own JSONL file, created on the first line. Each process writes its own file, named
/// <c>&lt;host&gt;-&lt;pid&gt;-&lt;start time&gt;[-shard&lt;i&gt;of&lt;n&gt;].jsonl</c>, so workers never share one — not even two given
/// the same shard by mistake — and the folder read back is the whole run.
/// </summary>
public sealed class RenderRun
{
    /// <summary>Where a render's record goes when none is named: this folder inside its output directory.</summary>
    public const string DefaultFolderName = ".nanobanana-run";

    readonly object _gate = new();
    readonly Dictionary<string, string> _modelIdentities = new(StringComparer.Ordinal);

    /// <exception cref="RunRecordException">The existing record cannot be read.</exception>
    public RenderRun(string folder, Shard? shard = null)
    {
        Folder = Path.GetFullPath(folder);
        Shard = shard;
        History = RunHistory.Read(Folder);
        Host = Environment.MachineName;
        int pid = Environment.ProcessId;
        string started = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmssfff", CultureInfo.InvariantCulture);
        Worker = Imaging.OutputFileName.Sanitize($"{Host}-{pid}-{started}" + (shard is { } s ? $"-shard{s.Index}of{s.Count}" : ""), "worker") + ".jsonl";
    }

    public static string DefaultFolder(string outputDirectory) => Path.Combine(Path.GetFullPath(outputDirectory), DefaultFolderName);

    public string Folder { get; }

    public Shard? Shard { get; }

    /// <summary>The run as recorded before this worker started.</summary>
    public RunHistory History { get; }

    public string Host { get; }

    /// <summary>This worker's file name inside <see cref="Folder"/>.</summary>
    public string Worker { get; }

    /// <summary>A row's one failed line when it fails before its stage could start (a bad cell, no model).</summary>
    public void Failed(string key, string stage, string errorId, string message) =>
        Append(new RunRecordEntry
        {
            Key = key.Trim(), Stage = stage, Status = RunStatus.Failed, Hash = "", ErrorId = errorId, Error = message, At = DateTimeOffset.UtcNow,
            Host = Host, Pid = Environment.ProcessId, Worker = Worker, ShardIndex = Shard?.Index, ShardCount = Shard?.Count,
        });

    /// <summary>The hash of a render (<see cref="RenderFingerprint.Of"/>): the job, its model's identity and the LoRAs the
    /// registry applies to it (registered weights with the row's overrides).</summary>
    /// <exception cref="Lora.LoraNotRegisteredException">The row overrides a LoRA that is not registered.</exception>
    public string HashOf(RenderJob job, LoraRegistry loras)
    {
        var weights = loras.Select(job.Request.LoraWeights).Weights;
        return RenderFingerprint.Of(job, ModelIdentityOf(job.ModelFolder),
            loras.Entries.Select(e => (e.Name, e.Path, weights.GetValueOrDefault(e.Name, e.Weight))));
    }

    /// <summary>A model folder's identity, computed once per worker.</summary>
    public string ModelIdentityOf(string modelFolder)
    {
        lock (_gate)
        {
            if (!_modelIdentities.TryGetValue(modelFolder, out string? identity))
                _modelIdentities[modelFolder] = identity = ModelIdentity.Of(modelFolder);
            return identity;
        }
    }

    /// <summary>
    /// Records that a row's stage starts and returns the step to finish with <see cref="RunStep.Done"/> or <see cref="RunStep.Failed"/>.
    /// First removes the temporary files that earlier workers stopped mid-write left for this output: the record names
    /// them (host and process of each unfinished step), so no folder is scanned.
    /// </summary>
    /// <param name="input">The hash of the stage this one's image came from (null for a render).</param>
    public RunStep Start(string key, string stage, string hash, string? output, string? input = null)
    {
        string? fullOutput = output is null ? null : Path.GetFullPath(output);
        if (fullOutput is not null)
            foreach (var stopped in History.Unfinished(key, stage).Where(e => e.Output == fullOutput))
                Imaging.AtomicFileWriter.RemoveAbandoned(fullOutput, stopped.Host, stopped.Pid);
        var step = new RunStep(this, key.Trim(), stage, hash, fullOutput, input);
        Append(step.Entry(RunStatus.Started));
        return step;
    }

    internal void Append(RunRecordEntry entry) => RunRecordFile.Append(Path.Combine(Folder, Worker), entry);

    /// <summary>A row's stage under way: its started line is written; one done or failed line ends it.</summary>
    public sealed class RunStep
    {
        readonly RenderRun _run;
        readonly Stopwatch _clock = Stopwatch.StartNew();
        bool _ended;

        internal RunStep(RenderRun run, string key, string stage, string hash, string? output, string? input)
        {
            Input = input;
            _run = run;
            Key = key;
            Stage = stage;
            Hash = hash;
            Output = output;
        }

        public string Key { get; }

        public string Stage { get; }

        public string Hash { get; }

        public string? Output { get; }

        public string? Input { get; }

        /// <summary>Call after the output file is complete on disk.</summary>
        public void Done() => End(RunStatus.Done, null, null);

        public void Failed(string errorId, string message) => End(RunStatus.Failed, errorId, message);

        void End(RunStatus status, string? errorId, string? message)
        {
            if (_ended) return;
            _ended = true;
            _run.Append(Entry(status) with { ErrorId = errorId, Error = message, Seconds = Math.Round(_clock.Elapsed.TotalSeconds, 3) });
        }

        internal RunRecordEntry Entry(RunStatus status) => new()
        {
            Key = Key, Stage = Stage, Status = status, Hash = Hash, Input = Input, Output = Output, At = DateTimeOffset.UtcNow,
            Host = _run.Host, Pid = Environment.ProcessId, Worker = _run.Worker,
            ShardIndex = _run.Shard?.Index, ShardCount = _run.Shard?.Count,
        };
    }
}
