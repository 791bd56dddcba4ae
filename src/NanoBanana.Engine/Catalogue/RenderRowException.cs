namespace NanoBanana.Catalogue;

/// <summary>A catalogue row that cannot be rendered as written. <see cref="ArgumentException.ParamName"/> is the
/// offending field; the message starts with the row, then says what is wrong and how to fix it.</summary>
public sealed class RenderRowException(string row, string field, string problem)
    : ArgumentException($"Row {row}: {problem}", field)
{
    /// <summary>The row as messages name it: <c>'product name'</c> or <c>#position</c>.</summary>
    public string Row { get; } = row;

    public string Field => ParamName!;

    /// <summary>The problem and its fix, without the row prefix or ArgumentException's "(Parameter …)" suffix.</summary>
    public string Problem { get; } = problem;

    public override string Message => $"Row {Row}: {Problem}";
}
