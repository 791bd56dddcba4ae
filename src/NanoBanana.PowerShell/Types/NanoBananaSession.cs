using System.Collections;

namespace NanoBanana;

/// <summary>The engine's session: how renders run, what is resident, how often each file was loaded.</summary>
public sealed class NanoBananaSession
{
    internal NanoBananaSession(string? model, string device, string requestedDevice, string memoryMode, long? budgetBytes, int segmentCount,
        long residentBytes, Hashtable residentBytesByComponent, Hashtable loadCounts, long? peakMemoryBytes)
    {
        Model = model; Device = device; RequestedDevice = requestedDevice; MemoryMode = memoryMode; BudgetBytes = budgetBytes; SegmentCount = segmentCount;
        ResidentBytes = residentBytes; ResidentBytesByComponent = residentBytesByComponent; LoadCounts = loadCounts; PeakMemoryBytes = peakMemoryBytes;
    }

    /// <summary>The model renders use when they name none.</summary>
    public string? Model { get; }

    /// <summary>Cpu or Cuda: the device ONNX Runtime runs on (Auto resolved).</summary>
    public string Device { get; }

    /// <summary>The device as asked for: Auto (a fresh or closed session), Cpu or Cuda (Open-NanoBananaSession -Device).</summary>
    public string RequestedDevice { get; }

    /// <summary>Full, Balanced or Low.</summary>
    public string MemoryMode { get; }

    public long? BudgetBytes { get; }

    /// <summary>How many pieces the UNet runs in (1 in Full mode; 0 before the first render).</summary>
    public int SegmentCount { get; }

    /// <summary>Weight bytes of the sessions loaded now.</summary>
    public long ResidentBytes { get; }

    /// <summary>Resident weight bytes per ONNX file or UNet segment.</summary>
    public Hashtable ResidentBytesByComponent { get; }

    /// <summary>How many times each ONNX file or UNet segment was loaded.</summary>
    public Hashtable LoadCounts { get; }

    /// <summary>Peak memory of the last render (on the CPU: the process's resident peak).</summary>
    public long? PeakMemoryBytes { get; }
}
