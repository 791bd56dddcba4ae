namespace NanoBanana.Engine.Tests.Fuzzing;

/// <summary>One parser under fuzzing: its seed corpus, the call that parses one input, and the exception types that
/// count as a named error (anything else is a finding).</summary>
internal sealed record FuzzTarget(string Name, IReadOnlyList<byte[]> Corpus, Action<byte[]> Parse, params Type[] NamedErrors)
{
    public bool IsNamed(Exception e) => NamedErrors.Any(t => t.IsInstanceOfType(e));

    public override string ToString() => Name;
}
