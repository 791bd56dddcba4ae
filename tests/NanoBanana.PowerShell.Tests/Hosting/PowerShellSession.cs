using System.Collections;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace NanoBanana.PowerShell.Tests.Hosting;

/// <summary>
/// A runspace of the real PowerShell engine with the packaged NanoBanana module imported. Like any
/// SDK-hosted engine it has only the core cmdlets: tests build Import-Csv-like rows as [pscustomobject].
/// </summary>
public sealed class PowerShellSession : IDisposable
{
    private readonly Runspace _runspace;

    public PowerShellSession(string? workingDirectory = null)
    {
        var state = InitialSessionState.CreateDefault2();
        state.ImportPSModule(RepositoryPaths.ModuleManifest);
        state.ThrowOnRunspaceOpenError = true;
        _runspace = RunspaceFactory.CreateRunspace(state);
        _runspace.Open();
        if (workingDirectory is not null)
            _runspace.SessionStateProxy.Path.SetLocation(workingDirectory);
    }

    /// <summary>Runs a script; <paramref name="variables"/> are set as PowerShell variables first.</summary>
    public ScriptResult Run(string script, IDictionary<string, object?>? variables = null, Action<System.Management.Automation.PowerShell>? beforeInvoke = null)
    {
        using var ps = System.Management.Automation.PowerShell.Create();
        ps.Runspace = _runspace;
        if (variables is not null)
            foreach (var (name, value) in variables) _runspace.SessionStateProxy.SetVariable(name, value);
        ps.AddScript(script);
        beforeInvoke?.Invoke(ps);
        Collection<PSObject> output;
        Exception? terminating = null;
        try
        {
            output = ps.Invoke();
        }
        catch (RuntimeException ex)
        {
            output = new Collection<PSObject>();
            terminating = ex;
        }
        return new ScriptResult(output, ps.Streams.Error.ToList(), ps.Streams.Progress.ToList(), ps.Streams.Warning.ToList(), ps.Streams.Verbose.ToList(), terminating);
    }

    public void Dispose() => _runspace.Dispose();
}

public sealed record ScriptResult(
    Collection<PSObject> Output,
    List<ErrorRecord> Errors,
    List<ProgressRecord> Progress,
    List<WarningRecord> Warnings,
    List<VerboseRecord> Verbose,
    Exception? Terminating)
{
    /// <summary>Fails with every error's text when the script did not run cleanly.</summary>
    public ScriptResult AssertSuccess()
    {
        if (Terminating is not null || Errors.Count > 0)
            throw new Xunit.Sdk.XunitException("Script failed:\n" + string.Join("\n",
                Errors.Select(e => $"{e.FullyQualifiedErrorId}: {e}").Append(Terminating?.ToString() ?? "")));
        return this;
    }

    public T Single<T>() => (T)Output.Single().BaseObject;

    public static Hashtable Table(params (string Key, object? Value)[] entries)
    {
        var table = new Hashtable();
        foreach (var (k, v) in entries) table[k] = v;
        return table;
    }
}
