using System.Collections;
using NanoBanana.Runtime;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>The engine's session and estimate records as the PowerShell-visible types.</summary>
internal static class SessionViews
{
    public static NanoBananaSession ToView(SessionInfo info) => new(info.Model, info.Device.ToString(), info.RequestedDevice.ToString(), info.MemoryMode.ToString(),
        info.BudgetBytes, info.SegmentCount, info.ResidentBytes,
        new Hashtable(info.ResidentBytesByComponent.ToDictionary(p => p.Key, p => (object)p.Value), StringComparer.OrdinalIgnoreCase),
        new Hashtable(info.LoadCounts.ToDictionary(p => p.Key, p => (object)p.Value), StringComparer.OrdinalIgnoreCase),
        info.PeakMemoryBytes);

    public static RenderMemoryEstimate ToView(MemoryEstimate e) => new(e.Mode.ToString(), e.Width, e.Height, e.BatchSize, e.WeightBytes,
        e.UnetActivationBytes, e.VaeActivationBytes, e.PeakBytes, e.BudgetBytes, e.Fits, e.SegmentCount, e.Model, e.VaeTilePixels);
}
