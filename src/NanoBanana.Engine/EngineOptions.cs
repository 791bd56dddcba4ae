namespace NanoBanana;

/// <summary>Where the engine finds and keeps its files.</summary>
public sealed record EngineOptions
{
    /// <summary>Folders with shipped upscaling models; by default the module's <c>Models</c> folder.</summary>
    public IReadOnlyList<string> UpscaleModelDirectories { get; init; } = DefaultUpscaleModelDirectories();

    /// <summary>The user's own data (imported models, caches): $NANOBANANA_HOME, else the local application data folder.</summary>
    public string UserDataDirectory { get; init; } =
        Environment.GetEnvironmentVariable("NANOBANANA_HOME") is { Length: > 0 } home
            ? home
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "NanoBanana");

    private static IReadOnlyList<string> DefaultUpscaleModelDirectories()
    {
        // The engine lives in the module's Dependencies/ folder; the converted models sit beside it in Models/.
        string engineDirectory = Path.GetDirectoryName(typeof(EngineOptions).Assembly.Location)!;
        return new[] { Path.GetFullPath(Path.Combine(engineDirectory, "..", "Models")), Path.Combine(engineDirectory, "Models") };
    }
}
