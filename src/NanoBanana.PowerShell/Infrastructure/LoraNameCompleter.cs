
namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>Completes -Name with the LoRAs registered in the engine.</summary>
public sealed class LoraNameCompleter : NameCompleter
{
    protected override IEnumerable<string> Names => NanoBananaEngine.Shared.Loras.Entries.Select(e => e.Name);
}
