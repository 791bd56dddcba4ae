
namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>Completes -Model with the upscaling models the engine can find (shipped and imported).</summary>
public sealed class UpscaleModelCompleter : NameCompleter
{
    protected override IEnumerable<string> Names => NanoBananaEngine.Shared.Upscalers.AvailableModels;
}
