using System.Management.Automation;
using NanoBanana.Pipeline;
using NanoBanana.PowerShell.Infrastructure;

namespace NanoBanana.PowerShell.Commands;

/// <summary>The starting latent noise a render with this seed and size begins from (the pipeline's own code).</summary>
[Cmdlet(VerbsCommon.Get, "RenderNoise")]
[OutputType(typeof(RenderNoise))]
public sealed class GetRenderNoiseCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public long Seed { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(8, 16384)]
    public int Width { get; set; } = 1024;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(8, 16384)]
    public int Height { get; set; } = 1024;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 64)]
    public int BatchSize { get; set; } = 1;

    protected override void ProcessRecord()
    {
        try
        {
            int[] shape = RenderDiagnostics.LatentShape(Width, Height, BatchSize);
            WriteObject(new RenderNoise(Seed, shape, RenderDiagnostics.InitialNoise(Seed, Width, Height, BatchSize)));
        }
        catch (ArgumentException ex)
        {
            WriteError(new ErrorRecord(ex, ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, Seed));
        }
    }
}
