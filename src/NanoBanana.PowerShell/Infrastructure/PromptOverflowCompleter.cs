using NanoBanana.Text;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>Completes -PromptOverflow with the engine's policies (Chunk, Truncate).</summary>
public sealed class PromptOverflowCompleter : NameCompleter
{
    protected override IEnumerable<string> Names => Enum.GetNames<PromptOverflow>();
}
