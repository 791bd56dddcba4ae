namespace NanoBanana.Runtime;

/// <summary>The engine's session as Get-NanoBananaSession shows it: configuration, what is resident, what was loaded.</summary>
public sealed record SessionInfo(
    string? Model,
    ExecutionDevice Device,
    ExecutionDevice RequestedDevice,
    MemoryMode MemoryMode,
    long? BudgetBytes,
    int SegmentCount,
    long ResidentBytes,
    IReadOnlyDictionary<string, long> ResidentBytesByComponent,
    IReadOnlyDictionary<string, int> LoadCounts,
    long? PeakMemoryBytes);
