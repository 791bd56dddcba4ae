namespace NanoBanana.Models;

/// <summary>
/// A model folder (or one component file of it) that cannot be used: the message names the file, the problem in
/// plain words and the fix; whatever a library said (ONNX Runtime's own text) is only the inner exception.
/// </summary>
public sealed class ModelInvalidException : Exception
{
    public ModelInvalidException(string path, string problem, string fix, Exception? inner = null)
        : base($"'{path}' {problem}. {fix}", inner)
    {
        Path = path; Problem = problem; Fix = fix;
    }

    /// <summary>The model folder or component file at fault.</summary>
    public string Path { get; }

    /// <summary>What is wrong, in plain words (no library jargon).</summary>
    public string Problem { get; }

    /// <summary>What the user can do about it.</summary>
    public string Fix { get; }
}
