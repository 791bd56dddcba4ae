using NanoBanana.Schedulers;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>Completes -Scheduler with the sampler names the engine accepts.</summary>
public sealed class SchedulerNameCompleter : NameCompleter
{
    protected override IEnumerable<string> Names => SchedulerFactory.Names;
}
