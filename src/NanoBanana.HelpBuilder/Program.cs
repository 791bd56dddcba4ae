using NanoBanana.HelpBuilder;

// Usage: NanoBanana.HelpBuilder --assembly <cmdlets.dll> --markdown <help dir> --output <dll-Help.xml> [--dependencies <dir>]
var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
for (int i = 0; i + 1 < args.Length; i += 2) options[args[i].TrimStart('-')] = args[i + 1];
foreach (string required in new[] { "assembly", "markdown", "output" })
{
    if (!options.ContainsKey(required))
    {
        Console.Error.WriteLine("usage: NanoBanana.HelpBuilder --assembly <cmdlets.dll> --markdown <help dir> --output <dll-Help.xml> [--dependencies <dir>]");
        return 2;
    }
}

if (!File.Exists(options["assembly"]))
{
    Console.Out.WriteLine($"{options["assembly"]}(1): error NBHELP: the cmdlet assembly does not exist; build src/NanoBanana.PowerShell first.");
    return 1;
}

var errors = new List<HelpError>();
var cmdlets = CmdletMetadataReader.Read(options["assembly"], options.GetValueOrDefault("dependencies"));
string markdownDirectory = Path.GetFullPath(options["markdown"]);
var pages = (Directory.Exists(markdownDirectory) ? Directory.GetFiles(markdownDirectory, "*.md") : Array.Empty<string>())
    .Where(f => !Path.GetFileName(f).Equals("README.md", StringComparison.OrdinalIgnoreCase))
    .OrderBy(f => f, StringComparer.Ordinal)
    .Select(f => MarkdownHelpParser.Parse(f, errors))
    .ToList();
HelpConsistency.Check(cmdlets, pages, markdownDirectory, errors);

if (errors.Count > 0)
{
    foreach (var error in errors) Console.Out.WriteLine(error);
    Console.Out.WriteLine($"NanoBanana.HelpBuilder: {errors.Count} help error(s); {options["output"]} was not written.");
    return 1;
}

var document = MamlWriter.Build(cmdlets.Select(c => (c, pages.First(p => string.Equals(p.CommandName, c.Name, StringComparison.OrdinalIgnoreCase)))));
MamlWriter.Save(document, options["output"]);
Console.Out.WriteLine($"NanoBanana.HelpBuilder: help for {cmdlets.Count} cmdlet(s) written to {options["output"]}");
return 0;
