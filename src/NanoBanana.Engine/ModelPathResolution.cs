namespace NanoBanana;

/// <summary>
/// Which model folder a render uses, in one order everywhere: the folder the command names, else the session's
/// default (<see cref="NanoBananaEngine.DefaultModelPath"/>), else <c>$env:NANOBANANA_MODEL</c>; with none of
/// them, an error that says how to give one.
/// </summary>
public static class ModelPathResolution
{
    public const string EnvironmentVariable = "NANOBANANA_MODEL";

    /// <returns>The chosen folder as a full path (not checked for existence: opening the model reports what is missing).</returns>
    /// <exception cref="ModelPathNotSetException">All three are null or blank.</exception>
    public static string Resolve(string? explicitPath, string? sessionDefault, string? environmentValue)
    {
        foreach (string? candidate in new[] { explicitPath, sessionDefault, environmentValue })
            if (!string.IsNullOrWhiteSpace(candidate)) return Path.GetFullPath(candidate.Trim());
        throw new ModelPathNotSetException();
    }
}
