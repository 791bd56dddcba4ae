using System.Management.Automation;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace NanoBanana.HelpBuilder;

/// <summary>
/// Writes the MAML that PowerShell's Get-Help reads for binary cmdlets (&lt;assembly&gt;.dll-Help.xml): structure from the
/// cmdlet metadata, prose from the Markdown. Common parameters are not written: Get-Help adds them itself.
/// </summary>
public static class MamlWriter
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    public static XDocument Build(IEnumerable<(CmdletMetadata Cmdlet, MarkdownHelp Help)> commands) =>
        new(new XDeclaration("1.0", "utf-8", null),
            new XElement(Msh + "helpItems", new XAttribute("schema", "maml"),
                new XAttribute(XNamespace.Xmlns + "maml", Maml),
                new XAttribute(XNamespace.Xmlns + "command", Command),
                new XAttribute(XNamespace.Xmlns + "dev", Dev),
                commands.Select(c => CommandElement(c.Cmdlet, c.Help))));

    public static void Save(XDocument document, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), NewLineChars = "\n" };
        using var writer = XmlWriter.Create(path, settings);
        document.Save(writer);
    }

    private static XElement CommandElement(CmdletMetadata cmdlet, MarkdownHelp help) =>
        new(Command + "command",
            new XElement(Command + "details",
                new XElement(Command + "name", cmdlet.Name),
                new XElement(Command + "verb", cmdlet.Verb),
                new XElement(Command + "noun", cmdlet.Noun),
                Description(help.Synopsis)),
            Description(help.Description),
            new XElement(Command + "syntax", cmdlet.ParameterSets.Select(set => SyntaxItem(cmdlet, set))),
            new XElement(Command + "parameters", cmdlet.Parameters.Select(p => ParameterElement(p, help, set: null))),
            new XElement(Command + "inputTypes", help.Inputs.Select(i =>
                new XElement(Command + "inputType", TypeElement(i.TypeName), Description(i.Description)))),
            new XElement(Command + "returnValues", help.Outputs.Select(o =>
                new XElement(Command + "returnValue", TypeElement(o.TypeName), Description(o.Description)))),
            new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paragraphs(help.Notes))),
            new XElement(Command + "examples", help.Examples.Select(e =>
                new XElement(Command + "example",
                    new XElement(Maml + "title", $"-------------------------- {e.Title} --------------------------"),
                    new XElement(Dev + "code", e.Code),
                    new XElement(Dev + "remarks", Paragraphs(e.Remarks))))),
            new XElement(Command + "relatedLinks", help.RelatedLinks.Select(l =>
                // Get-Help prints the text and then the uri: a link to another help topic has no uri, or it reads twice.
                new XElement(Maml + "navigationLink", new XElement(Maml + "linkText", l.Text),
                    new XElement(Maml + "uri", Uri.TryCreate(l.Uri, UriKind.Absolute, out var web) && web.Scheme.StartsWith("http") ? l.Uri : "")))));

    private static XElement SyntaxItem(CmdletMetadata cmdlet, string set)
    {
        // Positional parameters first, by position, then the named ones in declaration order (as Get-Command shows them).
        var members = cmdlet.Parameters.Where(p => p.Sets.ContainsKey(set))
            .Select((p, index) => (p, index))
            .OrderBy(x => x.p.Sets[set].Position ?? int.MaxValue).ThenBy(x => x.index)
            .Select(x => x.p);
        return new XElement(Command + "syntaxItem",
            new XElement(Maml + "name", cmdlet.Name),
            members.Select(p => ParameterElement(p, help: null, set)));
    }

    /// <summary>In a syntax item (<paramref name="set"/> given) the settings are that set's; in the parameters list, the loosest across sets.</summary>
    private static XElement ParameterElement(ParameterMetadata p, MarkdownHelp? help, string? set)
    {
        var entries = set is null ? p.Sets.Values.ToList() : new List<ParameterSetEntry> { p.Sets[set] };
        bool required = entries.Count > 0 && entries.All(e => e.Mandatory);
        var positions = entries.Select(e => e.Position).Distinct().ToList();
        string position = positions.Count == 1 && positions[0] is int pos ? pos.ToString() : "named";
        bool byValue = entries.Any(e => e.ValueFromPipeline), byName = entries.Any(e => e.ValueFromPipelineByPropertyName);
        string pipeline = (byValue, byName) switch
        {
            (true, true) => "True (ByValue, ByPropertyName)",
            (true, false) => "True (ByValue)",
            (false, true) => "True (ByPropertyName)",
            _ => "False",
        };
        var element = new XElement(Command + "parameter",
            new XAttribute("required", required ? "true" : "false"),
            new XAttribute("variableLength", "true"),
            new XAttribute("globbing", p.SupportsWildcards ? "true" : "false"),
            new XAttribute("pipelineInput", pipeline),
            new XAttribute("position", position),
            new XAttribute("aliases", p.Aliases.Count == 0 ? "none" : string.Join(", ", p.Aliases)),
            new XElement(Maml + "name", p.Name),
            Description(help is not null ? HelpText(p, help) : ""));
        if (p.ValidValues.Count > 0)
            element.Add(new XElement(Command + "parameterValueGroup", p.ValidValues.Select(v =>
                new XElement(Command + "parameterValue", new XAttribute("required", "false"), new XAttribute(Command + "variableLength", "false"), v))));
        if (!p.IsSwitch || set is null)
            element.Add(new XElement(Command + "parameterValue",
                new XAttribute("required", p.IsSwitch ? "false" : "true"), new XAttribute("variableLength", "false"), ShortTypeName(p.Type)));
        element.Add(TypeElement(FullTypeName(p.Type)));
        element.Add(new XElement(Dev + "defaultValue", p.DefaultValue));
        return element;
    }

    /// <summary>The Markdown prose, or for -WhatIf/-Confirm (implied by SupportsShouldProcess) PowerShell's standard text unless the page overrides it.</summary>
    internal static string HelpText(ParameterMetadata p, MarkdownHelp help) =>
        help.Parameters.TryGetValue(p.Name, out var doc) ? doc.Text : p.Name switch
        {
            "WhatIf" => "Shows what would happen if the cmdlet runs. The cmdlet is not run.",
            "Confirm" => "Prompts you for confirmation before running the cmdlet.",
            _ => "",
        };

    private static XElement TypeElement(string name) =>
        new(Dev + "type", new XElement(Maml + "name", name), new XElement(Maml + "uri"));

    private static XElement Description(string prose) => new(Maml + "description", Paragraphs(prose));

    private static IEnumerable<XElement> Paragraphs(string prose) =>
        prose.Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => new XElement(Maml + "para", p));

    private static Type Unwrap(Type t) => Nullable.GetUnderlyingType(t) ?? t;

    internal static string ShortTypeName(Type type)
    {
        type = Unwrap(type);
        if (type.IsArray) return ShortTypeName(type.GetElementType()!) + "[]";
        if (type.IsGenericType) return type.Name[..type.Name.IndexOf('`')] + "[" + string.Join(", ", type.GetGenericArguments().Select(ShortTypeName)) + "]";
        return type.Name;
    }

    internal static string FullTypeName(Type type)
    {
        type = Unwrap(type);
        if (type.IsArray) return FullTypeName(type.GetElementType()!) + "[]";
        if (type.IsGenericType) return type.Namespace + "." + ShortTypeName(type);
        return type.FullName ?? type.Name;
    }
}
