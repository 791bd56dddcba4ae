using System.Diagnostics;
using System.Management.Automation;
using NanoBanana.Catalogue;
using NanoBanana.Imaging;
using NanoBanana.Pipeline;
using NanoBanana.PowerShell.Infrastructure;

namespace NanoBanana.PowerShell.Commands;

/// <summary>
/// Renders one product image per row (typically Import-Csv rows) with a diffusion model. Every parameter binds
/// by property name, and the row's cells are taken as text and checked by the engine (<see cref="RenderRow"/>),
/// so a bad cell is a non-terminating error naming the row, the field and the fix, and the other rows go on.
/// </summary>
[Cmdlet(VerbsCommon.New, "ExplodedView", SupportsShouldProcess = true)]
[OutputType(typeof(RenderedImage))]
public sealed class NewExplodedViewCommand : CancellableCmdlet
{
    private const int BatchActivityId = 1;
    private const int StepActivityId = 2;

    // One target per destination the rows name (-OutFile/-OutputDirectory bind per row), so -OutFile's one-image
    // rule holds across the whole pipeline.
    private readonly Dictionary<(string?, string?, bool), OutputTarget> _targets = new();
    private int _rows;
    private bool _batchShown;

    /// <summary>The piped row itself, so errors can carry it as their target; its properties bind to the other parameters.</summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Description")]
    [AllowNull, AllowEmptyString]
    public string? Prompt { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Product", "SKU")]
    [AllowNull, AllowEmptyString]
    public string? Name { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull, AllowEmptyString]
    public string? Parts { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(StylePresetCompleter))]
    [AllowNull, AllowEmptyString]
    public string? Style { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull, AllowEmptyString]
    public string? NegativePrompt { get; set; }

    // Seed, Steps, CfgScale, Width and Height are text on purpose: a typed parameter whose by-property-name
    // conversion fails is silently left unbound, so a "ten" in the Steps column would render at 30 steps.
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull, AllowEmptyString]
    public string? Seed { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull, AllowEmptyString]
    public string? Steps { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull, AllowEmptyString]
    public string? CfgScale { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull, AllowEmptyString]
    public string? Width { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull, AllowEmptyString]
    public string? Height { get; set; }

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
    public SwitchParameter Force { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SwitchParameter SkipExisting { get; set; }

    private static NanoBananaEngine Engine => NanoBananaEngine.Shared;

    protected override void ProcessRecord()
    {
        _rows++;
        var row = new RenderRow
        {
            Index = _rows, Name = Name, Prompt = Prompt ?? PipedText(), Parts = Parts, NegativePrompt = NegativePrompt, Style = Style,
            Seed = Seed, Steps = Steps, CfgScale = CfgScale, Width = Width, Height = Height, Scheduler = Scheduler,
            GuidanceBatching = GuidanceBatching, PromptOverflow = PromptOverflow, ModelPath = ModelPath, LoraWeight = LoraWeightText(),
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
            WriteError(record);
        }
    }

    private void RenderOne(RenderRow row)
    {
        row = row with { ModelPath = this.ToProviderPathOrNull(row.ModelPath) };
        var output = Target(row);
        var job = Engine.Prepare(row, output);

        if (job.OutputPath is { } existing && SkipExisting && File.Exists(existing))
        {
            WriteVerbose($"Row {row.Label}: skipped, '{existing}' exists (-SkipExisting).");
            return;
        }
        string action = $"Render {job.Request.Style} {job.Request.Width}x{job.Request.Height}, {job.Request.Steps} steps, seed {job.Seed} on '{job.ModelFolder}'";
        if (!ShouldProcess(job.OutputPath ?? $"row {row.Label} (in memory)", action)) return;

        var clock = Stopwatch.StartNew();
        var image = RenderWithProgress(job, output);
        foreach (string warning in image.Warnings) WriteWarning($"{job.Name}: {warning}");
        WriteObject(new RenderedImage(image, job.Name, job.OutputPath, clock.Elapsed, image.PeakMemoryBytes));
    }

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

    // "a drone" | New-ExplodedView: a piped string is the prompt. Read, never assigned to Prompt, because
    // PowerShell only resets parameters it bound itself between rows.
    private string? PipedText() => InputObject?.BaseObject as string;
}
