namespace NanoBanana.Lora;

/// <summary>The registered adapters at one moment; <see cref="Version"/> changes when the set does, which is when
/// sessions with injected branches must be rebuilt.</summary>
public sealed record LoraSnapshot(IReadOnlyList<LoraAdapter> Adapters, int Version)
{
    public static readonly LoraSnapshot None = new([], 0);
}
