using NanoBanana.Pipeline;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>Completes -GuidanceBatching with the engine's modes (Separate, Combined).</summary>
public sealed class GuidanceBatchingCompleter : NameCompleter
{
    protected override IEnumerable<string> Names => Enum.GetNames<GuidanceBatching>();
}
