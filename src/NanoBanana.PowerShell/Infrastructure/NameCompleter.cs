using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>Tab completion from a fixed or engine-supplied list of names, matched by prefix, case-insensitively.</summary>
public abstract class NameCompleter : IArgumentCompleter
{
    /// <summary>The names to offer; read on each completion, so engine-side lists stay current.</summary>
    protected abstract IEnumerable<string> Names { get; }

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string prefix = (wordToComplete ?? "").Trim('\'', '"');
        return Names
            .Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(n => new CompletionResult(n.Contains(' ') ? $"'{n}'" : n, n, CompletionResultType.ParameterValue, n));
    }
}
