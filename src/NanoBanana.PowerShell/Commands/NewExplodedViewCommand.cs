using System.Diagnostics;
using System.Management.Automation;
using NanoBanana.Catalogue;
using NanoBanana.Imaging;
using NanoBanana.Pipeline;
using NanoBanana.PowerShell.Infrastructure;
using NanoBanana.Runs;

namespace NanoBanana.PowerShell.Commands;

/// <summary>
/// Renders one product image per row (typically Import-Csv rows) with a diffusion model. Every row parameter binds
/// by property name, and the row's cells are checked by the engine (<see cref="RenderRow"/>), so a bad cell is a
/// non-terminating error naming the row, the field and the fix, and the other rows go on.
/// </summary>
[Cmdlet(VerbsCommon.New, "ExplodedView", SupportsShouldProcess = true)]
[OutputType(typeof(RenderedImage))]
public sealed class NewExplodedViewCommand : CatalogueRowCmdlet
{
    private const int BatchActivityId = 1;
    private const int StepActivityId = 2;

    // One target per destination the rows name (-OutFile/-OutputDirectory bind per row), so -OutFile's one-image
    // rule holds across the whole pipeline.
    private readonly Dictionary<(string?, string?, bool), OutputTarget> _targets = new();
    private readonly RowRecorder _record = new();
    private int _rows;
    private bool _batchShown;
    private IReadOnlyDictionary<string, string> _commandLineCells = new Dictionary<string, string>();
    private IReadOnlyDictionary<string, string> _rowCells = new Dictionary<string, string>();

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Description")]
    [AllowNull, AllowEmptyString]
    public string? Prompt { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull, AllowEmptyString]
    public string? Parts { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull, AllowEmptyString]
    public string? NegativePrompt { get; set; }

    // Typed, with [RenderCell]: an empty cell is "not given" and a cell that does not convert exactly reaches the
    // engine as text, so the row fails with InvalidRenderRow naming it (see RenderCellAttribute).
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [RenderCell(nameof(Seed))]
    [AllowNull]
    [PSDefaultValue(Help = "a random seed, reported on the result")]
    public long? Seed { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [RenderCell(nameof(Steps))]
    [AllowNull]
    [PSDefaultValue(Help = "30")]
    public int? Steps { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [RenderCell(nameof(CfgScale))]
    [AllowNull]
    [PSDefaultValue(Help = "7.5")]
    public double? CfgScale { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [RenderCell(nameof(Width))]
    [AllowNull]
    [PSDefaultValue(Help = "1024")]
    public int? Width { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [RenderCell(nameof(Height))]
    [AllowNull]
    [PSDefaultValue(Help = "1024")]
    public int? Height { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SchedulerNameCompleter))]
    [AllowNull, AllowEmptyString]
    public string? Scheduler { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(GuidanceBatchingCompleter))]
    [AllowNull, AllowEmptyString]
    public string? GuidanceBatching { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PromptOverflowCompleter))]
    [AllowNull, AllowEmptyString]
    public string? PromptOverflow { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull, AllowEmptyString]
    public string? RegionalPrompt { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull, AllowEmptyString]
    public string? ModelPath { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull, AllowEmptyString]
    public string? OutputDirectory { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull, AllowEmptyString]
    public string? OutFile { get; set; }

    /// <summary>A hashtable (@{ turbo = 0.7 }) or "name=weight" text (a CSV cell).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    public object? LoraWeight { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull, AllowEmptyString]
    public string? Background { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Strength", "DenoisingStrength")]
    [RenderCell(nameof(LayoutStrength))]
    [AllowNull]
    [PSDefaultValue(Help = "0.75 for rows with a layout or an init image")]
    public double? LayoutStrength { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull, AllowEmptyString]
    public string? InitImage { get; set; }

    [Parameter]
    public SwitchParameter TransparentBackground { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter SkipExisting { get; set; }

    /// <summary>The run record folder (one JSONL file per worker); default: <c>.nanobanana-run</c> inside -OutputDirectory.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RunRecord { get; set; }

    [Parameter]
    public SwitchParameter Resume { get; set; }

    private static NanoBananaEngine Engine => NanoBananaEngine.Shared;

    protected override void BeginProcessing()
    {
        // Only what the command line bound (a leftover of a binding that failed elsewhere is not).
        _commandLineCells = RenderCellAttribute.TakeUnconverted().Where(c => MyInvocation.BoundParameters.ContainsKey(c.Key))
            .ToDictionary(c => c.Key, c => c.Value);
    }

    protected override void ProcessRecord()
    {
        _rows++;
        // Only the columns this row has (a leftover of a row whose binding failed is not).
        _rowCells = RenderCellAttribute.TakeUnconverted().Where(c => InputObject?.Properties[c.Key] is not null)
            .ToDictionary(c => c.Key, c => c.Value);
        var row = new RenderRow
        {
            Index = _rows, Name = Name, Prompt = Prompt ?? PipedText(), Parts = Parts, NegativePrompt = NegativePrompt, Style = Style,
            Seed = Cell(nameof(Seed), Seed), Steps = Cell(nameof(Steps), Steps), CfgScale = Cell(nameof(CfgScale), CfgScale),
            Width = Cell(nameof(Width), Width), Height = Cell(nameof(Height), Height), Scheduler = Scheduler,
            GuidanceBatching = GuidanceBatching, PromptOverflow = PromptOverflow, RegionalPrompt = RegionalPrompt, ModelPath = ModelPath, LoraWeight = LoraWeightText(),
            Layout = Layout, LayoutAxis = LayoutAxis, Background = Background, TransparentBackground = TransparentBackground ? "true" : null,
            LayoutStrength = Cell(nameof(LayoutStrength), LayoutStrength), InitImage = InitImage,
        };
        object target = (object?)InputObject ?? row;
        try
        {
            RenderOne(row);
        }
        catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception ex) when (RenderErrors.TryCreate(ex, target, out var record))
        {
            _record.Failed(record);
            WriteError(record);
        }
    }

    private void RenderOne(RenderRow row)
    {
        row = row with { ModelPath = this.ToProviderPathOrNull(row.ModelPath), InitImage = this.ToProviderPathOrNull(row.InitImage) };
        var output = Target(row);
        _record.BeginRow(RecordFolder(output), row.Name, InputObject);
        if (Resume && !_record.Recording)
            throw new ArgumentException("-Resume needs a run record to resume from: give -OutputDirectory or -RunRecord.", nameof(Resume));
        var job = Engine.Prepare(row, output);
        var (hash, resume) = _record.Recording ? _record.Decide(job, Engine.Loras, Resume) : ("", RowResume.Render);
        if (resume == RowResume.Skip)
        {
            WriteVerbose($"Row {row.Label}: skipped, '{job.OutputPath}' and its later stages are done with the same settings (-Resume).");
            return;
        }
        if (resume == RowResume.FinishLaterStages)
        {
            WriteVerbose($"Row {row.Label}: rendered earlier ('{job.OutputPath}'), handed on to finish its later stages (-Resume).");
            WriteObject(new RenderedImage(ImageCodec.Read(job.OutputPath!), job.Name, job.OutputPath) { Run = _record.Trace(job, hash) });
            return;
        }

        if (job.OutputPath is { } existing && SkipExisting && File.Exists(existing))
        {
            WriteVerbose($"Row {row.Label}: skipped, '{existing}' exists (-SkipExisting).");
            return;
        }
        string action = $"Render {job.Request.Style} {job.Request.Width}x{job.Request.Height}, {job.Request.Steps} steps, seed {job.Seed} on '{job.ModelFolder}'"
            + (job.Request.StartImageSource is { } start ? $", from {(start == Pipeline.InitImage.LayoutSource ? "the layout's guide" : $"'{start}'")} at strength {job.Request.Strength.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : "")
            + string.Concat(job.Request.Regions.Select(r => $"; region '{r.Prompt}' at {r.X},{r.Y} {r.Width}x{r.Height}"));
        if (!ShouldProcess(job.OutputPath ?? $"row {row.Label} (in memory)", action)) return;

        var trace = _record.Recording ? _record.Start(job, hash) : null;
        var clock = Stopwatch.StartNew();
        var image = RenderWithProgress(job, output);
        _record.Done();
        foreach (string warning in image.Warnings) WriteWarning($"{job.Name}: {warning}");
        if (Engine.Session.RequestedDevice == Runtime.ExecutionDevice.Auto) DeviceNotice.WarnOnce(this);
        WriteObject(new RenderedImage(image, job.Name, job.OutputPath, clock.Elapsed, image.PeakMemoryBytes) { Run = trace });
    }

    private string? RecordFolder(OutputTarget output) =>
        this.ToProviderPathOrNull(RunRecord) ?? (output.OutputDirectory is { } folder ? RenderRun.DefaultFolder(folder) : null);

    private OutputTarget Target(RenderRow row)
    {
        var key = (this.ToProviderPathOrNull(OutFile), this.ToProviderPathOrNull(OutputDirectory), Force.IsPresent);
        if (_targets.TryGetValue(key, out var target)) return target;
        try
        {
            return _targets[key] = new OutputTarget(key.Item1, key.Item2, key.Item3);
        }
        catch (ArgumentException e)
        {
            throw new RenderRowException(row.Label, nameof(OutFile), e.Message);
        }
    }

    private RgbaImage RenderWithProgress(RenderJob job, OutputTarget output)
    {
        WriteProgress(new ProgressRecord(BatchActivityId, "New-ExplodedView", $"Row {_rows}: {job.Name}"));
        _batchShown = true;
        string activity = $"Rendering {job.Name}";
        bool loaded = Engine.LoadCounts(job.ModelFolder).Count > 0;
        WriteProgress(StepRecord(activity, loaded ? "encoding the prompt" : "loading the model"));
        // A fresh record per step: hosts that collect records (jobs, hosted runspaces) keep references,
        // so mutating one record would rewrite the history they hold.
        var progress = new SynchronousProgress<DenoiseProgress>(p =>
        {
            var record = StepRecord(activity, $"step {p.Step} of {p.TotalSteps}");
            record.PercentComplete = 100 * p.Step / p.TotalSteps;
            record.SecondsRemaining = (int)Math.Ceiling(p.EstimatedRemaining.TotalSeconds);
            WriteProgress(record);
        });
        try
        {
            return Engine.Render(job, output, progress, Cancellation);
        }
        finally
        {
            var done = StepRecord(activity, "done");
            done.RecordType = ProgressRecordType.Completed;
            WriteProgress(done);
        }
    }

    private static ProgressRecord StepRecord(string activity, string status) =>
        new(StepActivityId, activity, status) { ParentActivityId = BatchActivityId };

    protected override void EndProcessing()
    {
        if (_batchShown)
            WriteProgress(new ProgressRecord(BatchActivityId, "New-ExplodedView", $"{_rows} row(s)") { RecordType = ProgressRecordType.Completed });
    }

    // A hashtable becomes the same "name=weight" text a CSV cell holds, so the engine parses one form.
    private string? LoraWeightText() => (LoraWeight is PSObject wrapped ? wrapped.BaseObject : LoraWeight) switch
    {
        null => null,
        System.Collections.IDictionary table => string.Join("; ", table.Keys.Cast<object>().Select(k =>
            $"{k}={Convert.ToString(table[k] is PSObject p ? p.BaseObject : table[k], System.Globalization.CultureInfo.InvariantCulture)}")),
        var other => Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture),
    };

    // The text the engine checks: the bound number, else the cell that did not convert (bound as null).
    private string? Cell(string field, IFormattable? value) =>
        value is not null ? value.ToString(field is nameof(CfgScale) or nameof(LayoutStrength) ? "R" : null, System.Globalization.CultureInfo.InvariantCulture)
        : _rowCells.TryGetValue(field, out var row) ? row
        : _commandLineCells.GetValueOrDefault(field);

    // "a drone" | New-ExplodedView: a piped string is the prompt. Read, never assigned to Prompt, because
    // PowerShell only resets parameters it bound itself between rows.
    private string? PipedText() => InputObject?.BaseObject as string;
}
