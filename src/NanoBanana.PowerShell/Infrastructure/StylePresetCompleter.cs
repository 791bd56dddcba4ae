using NanoBanana.Text;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>Completes -Style with the engine's style presets. A completer, not [ValidateSet]: a CSV cell that
/// fails validation during pipeline binding would be dropped silently instead of reported for its row.</summary>
public sealed class StylePresetCompleter : NameCompleter
{
    protected override IEnumerable<string> Names => Enum.GetNames<StylePreset>();
}
