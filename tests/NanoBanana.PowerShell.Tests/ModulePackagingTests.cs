using NanoBanana.PowerShell.Tests.Hosting;

namespace NanoBanana.PowerShell.Tests;

public class ModulePackagingTests
{
    [Fact]
    public void EngineOnnxRuntimeAndSkiaLoadInTheModulesOwnContextFromItsFolder()
    {
        using var ps = new PowerShellSession();
        var env = ps.Run("Get-NanoBananaEnvironment").AssertSuccess().Output.Single();

        Assert.Contains("CPUExecutionProvider", ((IEnumerable<string>)env.Properties["ExecutionProviders"].Value));
        Assert.StartsWith("1.", (string)env.Properties["OnnxRuntimeVersion"].Value);
        var libraries = ((System.Collections.IEnumerable)env.Properties["Libraries"].Value).Cast<object>()
            .Select(l => (dynamic)l).ToList();
        string dependencies = Path.Combine(Path.GetDirectoryName(RepositoryPaths.ModuleManifest)!, "Dependencies");
        foreach (var name in new[] { "NanoBanana.Engine", "Microsoft.ML.OnnxRuntime", "SkiaSharp" })
        {
            var lib = libraries.Single(l => (string)l.Name == name);
            Assert.Equal("NanoBanana", (string)lib.LoadContext);
            Assert.StartsWith(dependencies, (string)lib.Location);
        }
    }

    [Fact]
    public void EveryExportedCmdletHasFullHelpWithAnExample()
    {
        using var ps = new PowerShellSession();
        var commands = ps.Run("(Get-Command -Module NanoBanana).Name").AssertSuccess()
            .Output.Select(o => (string)o.BaseObject).ToList();
        Assert.Contains("Get-NanoBananaEnvironment", commands);
        foreach (var command in commands)
        {
            var help = ps.Run($"Get-Help {command} -Full").AssertSuccess().Output.Single();
            string synopsis = help.Properties["Synopsis"].Value?.ToString() ?? "";
            Assert.False(string.IsNullOrWhiteSpace(synopsis) || synopsis.StartsWith(command, StringComparison.Ordinal) && synopsis.Contains('['),
                $"{command} has no synopsis in its MAML help.");
            Assert.NotNull(help.Properties["examples"]?.Value);

            // Every example has code; every parameter Get-Help lists (common ones excepted) has a description.
            var codes = ps.Run($"(Get-Help {command} -Full).examples.example | ForEach-Object {{ \"$($_.code)\" }}").AssertSuccess().Output;
            Assert.NotEmpty(codes);
            Assert.All(codes, c => Assert.False(string.IsNullOrWhiteSpace(c.ToString()), $"{command} has an example without code."));
            var undocumented = ps.Run($$"""
                @((Get-Help {{command}} -Full).parameters.parameter) | Where-Object { $_ -and -not (($_.description | ForEach-Object Text) -join '').Trim() } | ForEach-Object name
                """).AssertSuccess().Output.Select(o => o.ToString()).ToList();
            Assert.True(undocumented.Count == 0, $"{command}: parameters without a description: {string.Join(", ", undocumented)}");
            string description = ps.Run($"(Get-Help {command} -Full).description.Text -join ''").AssertSuccess().Output.Single().ToString();
            Assert.False(string.IsNullOrWhiteSpace(description), $"{command} has no description.");
        }
    }

    [Fact]
    public void HelpIsFoundWhenTheUiCultureIsInvariantOrNotEnglish()
    {
        // PowerShell searches <module>/<UI culture>, its parents, the folder itself, then en-US and en:
        // the en-US help serves every culture, the invariant one included.
        foreach (string culture in new[] { "", "de-DE" })
        {
            using var ps = new PowerShellSession(); // a fresh runspace each time: Get-Help caches what it found.
            string synopsis = ps.Run($$"""
                [System.Threading.Thread]::CurrentThread.CurrentUICulture = [System.Globalization.CultureInfo]::GetCultureInfo('{{culture}}')
                (Get-Help Get-NanoBananaEnvironment).Synopsis
                """).AssertSuccess().Output.Single().ToString();
            Assert.StartsWith("Reports the runtime", synopsis);
        }
    }

    [Fact]
    public void TheHelpSourcesAreNotShippedButTheGeneratedHelpIs()
    {
        string module = Path.GetDirectoryName(RepositoryPaths.ModuleManifest)!;
        Assert.True(File.Exists(Path.Combine(module, "en-US", "NanoBanana.PowerShell.dll-Help.xml")));
        Assert.True(File.Exists(Path.Combine(module, "en-US", "about_NanoBanana.help.txt")));
        Assert.False(Directory.Exists(Path.Combine(module, "help")), "module/help/*.md must not be copied into the module.");
    }

    [Fact]
    public void GetHelpAboutNanoBananaReturnsTheAboutTopic()
    {
        using var ps = new PowerShellSession();
        var topic = ps.Run("Get-Help about_NanoBanana").AssertSuccess().Output.Single();
        string text = topic.BaseObject.ToString()!;
        Assert.Contains("about_NanoBanana", text);
        Assert.Contains("SHORT DESCRIPTION", text);
        Assert.Contains("New-ExplodedView", text);
    }
}
