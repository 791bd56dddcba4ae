using System.Management.Automation;
using NanoBanana.Imaging;
using NanoBanana.PowerShell.Infrastructure;

namespace NanoBanana.PowerShell.Commands;

/// <summary>Reads the generation parameters an image carries (A1111's PNG "parameters" text).</summary>
[Cmdlet(VerbsCommon.Get, "RenderMetadata", DefaultParameterSetName = InputObjectSet)]
[OutputType(typeof(RenderMetadata))]
public sealed class GetRenderMetadataCommand : ImageInputCmdlet
{
    protected override void ProcessImage(RenderedImage image) =>
        WriteObject(new RenderMetadata(image.Path, image.Image.Parameters, A1111Parameters.Format(image.Image.Parameters)));
}
