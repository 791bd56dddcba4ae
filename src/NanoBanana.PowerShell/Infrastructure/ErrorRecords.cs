using System.Management.Automation;
using NanoBanana.Imaging;
using NanoBanana.Limits;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>
/// Turns an exception from one item's work into a non-terminating error record for that item, so the pipeline
/// goes on. Each cmdlet family classifies the failures it knows (stable id, category); the kinds every item can
/// meet (a limit, a duplicate output, memory) are classified here, and anything left is reported as
/// <see cref="ErrorIds.UnexpectedError"/> naming its type. Only engine-wide faults are not an item's: a stop
/// (Ctrl+C), a disposed engine, a runtime that cannot load — those propagate and end the pipeline.
/// </summary>
internal static class ErrorRecords
{
    /// <summary>The record with <paramref name="kind"/>'s stable id and category and the item as target; false only
    /// for an engine-wide fault, which must propagate.</summary>
    public static bool TryCreate(Exception ex, object? target, (string Id, ErrorCategory Category)? kind, out ErrorRecord record)
    {
        record = null!;
        if (IsEngineWide(ex)) return false;
        var (id, category) = Common(ex) ?? kind ?? (ErrorIds.UnexpectedError, ErrorCategory.NotSpecified);
        record = new ErrorRecord(ex, id, category, target);
        if (id == ErrorIds.UnexpectedError)
            record.ErrorDetails = new ErrorDetails($"{ex.GetType().Name}: {ex.Message} (unexpected: this item was skipped, the others go on; please report it)");
        return true;
    }

    static bool IsEngineWide(Exception ex) => ex is PipelineStoppedException or OperationCanceledException or ObjectDisposedException
        or TypeInitializationException or DllNotFoundException or EntryPointNotFoundException or BadImageFormatException;

    static (string Id, ErrorCategory Category)? Common(Exception ex) => ex switch
    {
        InputTooLargeException => (ErrorIds.InputTooLarge, ErrorCategory.LimitsExceeded),
        DuplicateOutputException => (ErrorIds.DuplicateOutput, ErrorCategory.ResourceExists),
        // An allocation one item asked for failed; the process goes on (the limits should have refused it first).
        OutOfMemoryException or InsufficientMemoryException => (ErrorIds.InsufficientMemory, ErrorCategory.ResourceUnavailable),
        _ => null,
    };
}
