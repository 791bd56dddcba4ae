namespace NanoBanana.Runtime;

/// <summary>A device was asked for by name (-Device Cuda) where it cannot run; says why and what to ask for instead.</summary>
public sealed class DeviceUnavailableException(ExecutionDevice device, string reason)
    : NotSupportedException($"{(device == ExecutionDevice.Cuda ? "CUDA" : device.ToString())} was requested but cannot run here: {reason}. Use -Device Cpu, or -Device Auto to fall back to the CPU.")
{
    public ExecutionDevice Device { get; } = device;
}
