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

    /// <summary>
    /// Starts a script and stops it, as Ctrl+C does, at the first progress record <paramref name="stopAt"/>
    /// accepts. <c>Stopped</c> is false when the script ended (or <paramref name="timeout"/> passed) first.
    /// </summary>
    public (ScriptResult Result, bool Stopped) RunAndStop(string script, Func<ProgressRecord, bool> stopAt, TimeSpan timeout)
    {
        using var ps = System.Management.Automation.PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript(script);
        using var reached = new ManualResetEventSlim();
        ps.Streams.Progress.DataAdded += (sender, e) =>
        {
            if (stopAt(((PSDataCollection<ProgressRecord>)sender!)[e.Index])) reached.Set();
        };
        var running = ps.BeginInvoke();
        bool stopped = WaitHandle.WaitAny([reached.WaitHandle, running.AsyncWaitHandle], timeout) == 0;
        ps.Stop();
        Collection<PSObject> output = new();
        Exception? terminating = null;
        try
        {
            output = new Collection<PSObject>(ps.EndInvoke(running).ToList());
        }
        catch (RuntimeException ex)
        {
            terminating = ex;
        }
        return (new ScriptResult(output, ps.Streams.Error.ToList(), ps.Streams.Progress.ToList(), ps.Streams.Warning.ToList(), ps.Streams.Verbose.ToList(), terminating), stopped);
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
