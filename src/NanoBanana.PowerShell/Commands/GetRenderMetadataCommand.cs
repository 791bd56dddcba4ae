using System.Management.Automation;
using NanoBanana.Imaging;
using NanoBanana.PowerShell.Infrastructure;

namespace NanoBanana.PowerShell.Commands;

/// <summary>Reads the generation parameters an image carries (A1111's PNG "parameters" text).</summary>
[Cmdlet(VerbsCommon.Get, "RenderMetadata", DefaultParameterSetName = InputObjectSet)]
[OutputType(typeof(RenderMetadata))]
public sealed class GetRenderMetadataCommand : ImageInputCmdlet
{
    protected override void ProcessImage(RenderedImage image) => Write(image.Path, image.Image.Parameters);

    // A file's metadata is read without decoding its pixels.
    private protected override void ProcessSource(ImageSource source)
    {
        if (source.Image is not null) ProcessImage(source.Image);
        else Write(source.FilePath, ImageCodec.ReadParameters(source.FilePath!));
    }

    private void Write(string? path, GenerationParameters parameters) =>
        WriteObject(new RenderMetadata(path, parameters, A1111Parameters.Format(parameters)));
}
