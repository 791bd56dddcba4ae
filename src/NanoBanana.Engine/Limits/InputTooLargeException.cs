namespace NanoBanana.Limits;

/// <summary>An input over one of <see cref="InputLimits"/>: names the item, what was measured, the limit and the fix.
/// An <see cref="IOException"/> (<see cref="InvalidDataException"/> is sealed), so code that reports an unreadable
/// file reports this too.</summary>
public sealed class InputTooLargeException(string item, string what, long actual, long limit, string fix)
    : IOException($"'{item}': {what} is {actual:N0}, over the limit of {limit:N0}. {fix}")
{
    public string Item { get; } = item;

    public long Actual { get; } = actual;

    public long Limit { get; } = limit;
}
