namespace NanoBanana.Runs;

/// <summary>A run record that cannot be read: a damaged line that is not a file's torn last one, or a folder that
/// cannot be listed. Names the file and line.</summary>
public sealed class RunRecordException(string message, Exception? inner = null) : IOException(message, inner);
