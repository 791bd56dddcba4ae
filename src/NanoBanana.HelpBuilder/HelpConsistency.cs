namespace NanoBanana.HelpBuilder;

/// <summary>The rules that keep help and code together: every cmdlet has a page, every page a cmdlet,
/// every public parameter prose, no prose for a parameter that does not exist, a synopsis, a description and an example.</summary>
public static class HelpConsistency
{
    public static void Check(IReadOnlyList<CmdletMetadata> cmdlets, IReadOnlyList<MarkdownHelp> pages, string markdownDirectory, List<HelpError> errors)
    {
        var byName = pages.GroupBy(p => p.CommandName, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.OrdinalIgnoreCase);
        foreach (var cmdlet in cmdlets)
        {
            if (!byName.TryGetValue(cmdlet.Name, out var found))
            {
                errors.Add(new HelpError(Path.Combine(markdownDirectory, cmdlet.Name + ".md"), 1,
                    $"cmdlet {cmdlet.Name} ({cmdlet.TypeName}) has no help page: create this file (see module/help/README.md)."));
                continue;
            }
            if (found.Count > 1)
                errors.Add(new HelpError(found[1].FilePath, 1, $"cmdlet {cmdlet.Name} is documented in more than one file."));
            var page = found[0];
            string expectedFile = cmdlet.Name + ".md";
            if (!string.Equals(Path.GetFileName(page.FilePath), expectedFile, StringComparison.Ordinal))
                errors.Add(new HelpError(page.FilePath, 1, $"the help page of {cmdlet.Name} must be named {expectedFile}."));
            if (page.Synopsis.Length == 0) errors.Add(new HelpError(page.FilePath, 1, $"cmdlet {cmdlet.Name}: ## SYNOPSIS is missing or empty."));
            if (page.Description.Length == 0) errors.Add(new HelpError(page.FilePath, 1, $"cmdlet {cmdlet.Name}: ## DESCRIPTION is missing or empty."));
            if (page.Examples.Count == 0) errors.Add(new HelpError(page.FilePath, 1, $"cmdlet {cmdlet.Name}: ## EXAMPLES has no '### Example 1: title' with a ```powershell block."));

            foreach (var parameter in cmdlet.Parameters)
                if (MamlWriter.HelpText(parameter, page).Length == 0)
                    errors.Add(new HelpError(page.FilePath, 1,
                        $"cmdlet {cmdlet.Name}: parameter -{parameter.Name} has no description: add a '### -{parameter.Name}' section under ## PARAMETERS."));
            foreach (var (name, (text, line)) in page.Parameters)
            {
                if (!cmdlet.Parameters.Any(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)))
                    errors.Add(new HelpError(page.FilePath, line, $"cmdlet {cmdlet.Name}: documents parameter -{name}, which the cmdlet does not have."));
                else if (text.Length == 0)
                    errors.Add(new HelpError(page.FilePath, line, $"cmdlet {cmdlet.Name}: parameter -{name} has an empty description."));
            }
        }
        foreach (var page in pages.Where(p => !cmdlets.Any(c => string.Equals(c.Name, p.CommandName, StringComparison.OrdinalIgnoreCase))))
            errors.Add(new HelpError(page.FilePath, 1, $"documents cmdlet {page.CommandName}, which the assembly does not export."));
    }
}
