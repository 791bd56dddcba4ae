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
        }
    }
}
