using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using NanoBanana.Runtime;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>Completes -Model with the upscaling models the engine can find (shipped and imported).</summary>
public sealed class UpscaleModelCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        NanoBananaEngine.Shared.Upscalers.AvailableModels
            .Where(m => m.StartsWith(wordToComplete, StringComparison.OrdinalIgnoreCase))
            .Select(m => new CompletionResult(m, m, CompletionResultType.ParameterValue, m));
}
