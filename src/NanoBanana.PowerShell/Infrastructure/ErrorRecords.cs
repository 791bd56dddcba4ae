using System.Management.Automation;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>Turns a classified exception into a non-terminating error record for one item.</summary>
internal static class ErrorRecords
{
    /// <summary>The record with <paramref name="kind"/>'s stable id and category and the item as target; false
    /// when the exception was not classified, so it propagates (a bug, not a bad item).</summary>
    public static bool TryCreate(Exception ex, object? target, (string Id, ErrorCategory Category)? kind, out ErrorRecord record)
    {
        record = kind is { } k ? new ErrorRecord(ex, k.Id, k.Category, target) : null!;
        return kind is not null;
    }
}
