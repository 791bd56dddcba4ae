using System.Management.Automation;
using System.Management.Automation.Runspaces;
using NanoBanana.Launcher;

// Usage: dotnet run --project src/NanoBanana.Launcher -- [script.ps1] [script arguments...]
// Runs the script in the real PowerShell engine with the assembled NanoBanana module imported.
string root = RepositoryRoot.Find();
string script = Path.GetFullPath(args.Length > 0 ? args[0] : Path.Combine(root, "examples", "render-catalogue.ps1"));
string manifest = Path.Combine(root, "artifacts", "module", "NanoBanana", "NanoBanana.psd1");
if (!File.Exists(manifest))
{
    Console.Error.WriteLine($"The module is not built: {manifest} is missing. Run 'dotnet build' first.");
    return 2;
}

var state = InitialSessionState.CreateDefault2();
state.Commands.Add(new SessionStateCmdletEntry("Import-Csv", typeof(ImportCsvCommand), null));
state.ImportPSModule(manifest);
state.ThrowOnRunspaceOpenError = true;
using var runspace = RunspaceFactory.CreateRunspace(state);
runspace.Open();
runspace.SessionStateProxy.Path.SetLocation(root);

using var ps = PowerShell.Create();
ps.Runspace = runspace;
ps.AddCommand(script);
foreach (var argument in args.Skip(1)) ps.AddArgument(argument);
ps.Streams.Error.DataAdded += (_, e) => Console.Error.WriteLine("ERROR: " + Describe(ps.Streams.Error[e.Index]));
ps.Streams.Warning.DataAdded += (_, e) => Console.Error.WriteLine("WARNING: " + ps.Streams.Warning[e.Index].Message);
ps.Streams.Progress.DataAdded += (_, e) => ProgressPrinter.Print(ps.Streams.Progress[e.Index]);

var output = new PSDataCollection<PSObject>();
output.DataAdded += (_, e) => Console.WriteLine(output[e.Index]?.ToString());
try
{
    ps.Invoke(null, output);
}
catch (RuntimeException ex)
{
    Console.Error.WriteLine("FAILED: " + Describe(ex.ErrorRecord));
    return 1;
}
return ps.HadErrors ? 1 : 0;

static string Describe(ErrorRecord error) => $"[{error.FullyQualifiedErrorId}] {error} (target: {error.TargetObject})";
