using System.Management.Automation;
using NanoBanana.Runtime;

namespace NanoBanana.PowerShell.Commands;

/// <summary>Reports the module's runtime: ONNX Runtime version and execution providers, why CUDA is not used, SkiaSharp, and the load context of each library.</summary>
[Cmdlet(VerbsCommon.Get, "NanoBananaEnvironment")]
[OutputType(typeof(NanoBananaEnvironment))]
public sealed class GetNanoBananaEnvironmentCommand : PSCmdlet
{
    protected override void EndProcessing() => WriteObject(new NanoBananaEnvironment(RuntimeEnvironment.Capture()));
}
