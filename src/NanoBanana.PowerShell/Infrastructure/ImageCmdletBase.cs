using System.Diagnostics;
using System.Management.Automation;
using NanoBanana.Imaging;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>
/// An image cmdlet that produces a new image from each input. Results stay in memory and flow on;
/// they are written only when -OutFile or -OutputDirectory is given, atomically, never over an existing
/// file without -Force, and under -WhatIf/-Confirm.
/// </summary>
public abstract class ImageCmdletBase : ImageInputCmdlet
{
    private OutputTarget _output = OutputTarget.InMemory;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutFile { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputDirectory { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>The cmdlet's own work on one image (one engine call). Throws for bad input.</summary>
    protected abstract RgbaImage Process(RgbaImage image);

    /// <summary>What the cmdlet made, as -WhatIf shows it, e.g. "sharpened image".</summary>
    protected abstract string ActionName { get; }

    protected override void BeginProcessing()
    {
        try
        {
            _output = new OutputTarget(this.ToProviderPathOrNull(OutFile), this.ToProviderPathOrNull(OutputDirectory), Force);
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, null));
        }
    }

    protected override void ProcessImage(RenderedImage image)
    {
        var stopwatch = Stopwatch.StartNew();
        var result = image.With(Process(image.Image), stopwatch.Elapsed);
        WriteObject(ImageOutput.Write(this, ActionName, result, _output));
    }
}
