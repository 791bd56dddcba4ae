namespace NanoBanana.Runs;

/// <summary>A shard index or count that cannot be used, or scheduler variables that do not describe one; raised
/// before any row is rendered. The message names where the values came from and the fix.</summary>
public sealed class ShardException(string source, string problem) : ArgumentException($"Shard from {source}: {problem}")
{
    /// <summary>Where the values came from: parameters, or the scheduler's variables.</summary>
    public string Origin { get; } = source;
}
