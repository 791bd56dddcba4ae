namespace NanoBanana.Runs;

/// <summary>A catalogue that cannot be split or recorded: a row without a key, or two rows with the same one (both
/// named). Raised for the whole catalogue before any row is rendered.</summary>
public sealed class CatalogueKeyException(string message) : ArgumentException(message);
