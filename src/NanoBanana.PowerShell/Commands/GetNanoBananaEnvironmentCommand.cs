using System.Management.Automation;
using NanoBanana.Runtime;

namespace NanoBanana.PowerShell.Commands;

/// <summary>Reports the module's runtime: ONNX Runtime version and execution providers, SkiaSharp, and the load context of each library.</summary>
[Cmdlet(VerbsCommon.Get, "NanoBananaEnvironment")]
[OutputType(typeof(RuntimeEnvironment))]
public sealed class GetNanoBananaEnvironmentCommand : PSCmdlet
{
    protected override void EndProcessing() => WriteObject(RuntimeEnvironment.Capture());
}
