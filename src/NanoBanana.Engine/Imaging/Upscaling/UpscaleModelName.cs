namespace NanoBanana.Imaging.Upscaling;

/// <summary>
/// What may name an upscaling model in the store: the stem of its <c>&lt;name&gt;.onnx</c>. Letters, digits, '-',
/// '_' and inner '.', starting with a letter or digit — so "." and ".." (which made "...onnx" and a hidden
/// "..onnx"), separators and reserved characters never reach the file system.
/// </summary>
public static class UpscaleModelName
{
    public const int MaxLength = 100;

    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= MaxLength }
        && char.IsLetterOrDigit(name[0]) && name[^1] != '.'
        && name.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.')
        && !name.Contains("..", StringComparison.Ordinal);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the rule when <paramref name="name"/> is not valid.</summary>
    public static void Check(string? name, string parameterName)
    {
        if (!IsValid(name))
            throw new ArgumentException($"'{Limits.Excerpt.Of(name ?? "")}' cannot be a model name: use up to {MaxLength} letters, digits, '-', '_' or inner '.', starting with a letter or digit (e.g. 'realesr-animevideov3').", parameterName);
    }
}
