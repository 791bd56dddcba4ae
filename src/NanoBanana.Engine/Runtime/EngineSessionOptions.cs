namespace NanoBanana.Runtime;

/// <summary>How the engine renders (Open-NanoBananaSession): default model, device, memory mode and budget.</summary>
public sealed record EngineSessionOptions
{
    /// <summary>The model folder renders use when they name none.</summary>
    public string? ModelPath { get; init; }

    public ExecutionDevice Device { get; init; } = ExecutionDevice.Auto;

    public int DeviceId { get; init; }

    public MemoryMode MemoryMode { get; init; } = MemoryMode.Full;

    /// <summary>Device memory a render may use (on the CPU: resident process memory); null for no limit.</summary>
    public long? BudgetBytes { get; init; }
}
