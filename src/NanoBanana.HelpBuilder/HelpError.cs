namespace NanoBanana.HelpBuilder;

/// <summary>A help/code mismatch, printed in MSBuild's canonical error format so the build fails and points at the file.</summary>
public sealed record HelpError(string File, int Line, string Message)
{
    public override string ToString() => $"{File}({Line}): error NBHELP: {Message}";
}
