namespace NanoBanana.HelpBuilder;

/// <summary>The prose of one cmdlet's help page, as written in module/help/&lt;Verb-Noun&gt;.md.</summary>
public sealed class MarkdownHelp
{
    public required string FilePath { get; init; }
    public required string CommandName { get; init; }
    public string Synopsis { get; set; } = "";
    public string Description { get; set; } = "";
    /// <summary>Parameter name (without the dash) to its prose and the line it was documented on.</summary>
    public Dictionary<string, (string Text, int Line)> Parameters { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<TypedNote> Inputs { get; } = new();
    public List<TypedNote> Outputs { get; } = new();
    public List<HelpExample> Examples { get; } = new();
    public string Notes { get; set; } = "";
    public List<RelatedLink> RelatedLinks { get; } = new();
}

/// <summary>An INPUTS or OUTPUTS entry: a type name and what it means.</summary>
public sealed record TypedNote(string TypeName, string Description);

public sealed record HelpExample(string Title, string Code, string Remarks, int Line);

public sealed record RelatedLink(string Text, string Uri);
