using System.Management.Automation;
using NanoBanana.Models;
using NanoBanana.Pipeline;
using NanoBanana.PowerShell.Infrastructure;

namespace NanoBanana.PowerShell.Commands;

/// <summary>The timesteps and sigmas a render would use, from a model folder's or a file's scheduler config.</summary>
[Cmdlet(VerbsCommon.Get, "SchedulerTimestep", DefaultParameterSetName = ModelSet)]
[OutputType(typeof(SchedulerSchedule))]
public sealed class GetSchedulerTimestepCommand : PSCmdlet
{
    private const string ModelSet = "Model";
    private const string ConfigSet = "Config";

    /// <summary>A diffusers model folder; unset, the session's or $env:NANOBANANA_MODEL's.</summary>
    [Parameter(ParameterSetName = ModelSet, ValueFromPipelineByPropertyName = true)]
    public string? ModelPath { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ConfigSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string ConfigPath { get; set; } = "";

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SchedulerNameCompleter))]
    public string? Scheduler { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 1000)]
    public int Steps { get; set; } = 30;

    protected override void ProcessRecord()
    {
        object target = (object?)Scheduler ?? ConfigPath;
        try
        {
            var scheduler = ParameterSetName == ConfigSet
                ? RenderDiagnostics.Schedule(SchedulerConfig.Load(this.ToProviderPathOrNull(ConfigPath)!), Scheduler, Steps)
                : RenderDiagnostics.Schedule(NanoBananaEngine.Shared.ResolveModelPath(this.ToProviderPathOrNull(ModelPath)), Scheduler, Steps);
            WriteObject(new SchedulerSchedule(scheduler.DisplayName, scheduler.StepCount, scheduler.Timesteps.ToArray(), scheduler.Sigmas.ToArray(), scheduler.InitNoiseSigma));
        }
        catch (Exception ex) when (ErrorRecords.TryCreate(ex, target, Classify(ex), out var record))
        {
            WriteError(record);
        }
    }

    private static (string Id, ErrorCategory Category)? Classify(Exception ex) => ex switch
    {
        ModelPathNotSetException => (ErrorIds.ModelNotSet, ErrorCategory.InvalidOperation),
        FileNotFoundException or DirectoryNotFoundException => (ErrorIds.ModelNotFound, ErrorCategory.ObjectNotFound),
        InvalidDataException or Models.ModelInvalidException => (ErrorIds.ModelInvalid, ErrorCategory.InvalidData),
        NotSupportedException or ArgumentException => (ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument),
        _ => null,
    };
}
