namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>
/// Calls back on the reporting thread. Unlike <see cref="Progress{T}"/> it does not post to a
/// synchronisation context, so a cmdlet can call WriteProgress, which must run on the pipeline thread.
/// </summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
