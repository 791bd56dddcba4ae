using System.Management.Automation;
using NanoBanana.Imaging;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>
/// Resolves what image cmdlets receive into <see cref="ImageSource"/>s: paths with wildcards through
/// the provider (any drive, relative to the current location), literal paths, or in-memory results.
/// </summary>
internal static class ImageSources
{
    public static IEnumerable<ImageSource> FromInputObject(RenderedImage? image) =>
        image is null ? Array.Empty<ImageSource>() : new[] { new ImageSource(image, null) };

    public static IEnumerable<ImageSource> FromLiteralPaths(PSCmdlet cmdlet, IEnumerable<string> paths) =>
        paths.Select(p => new ImageSource(null, cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(p)));

    /// <summary>Expands wildcards; a pattern that matches nothing is a non-terminating error naming it.</summary>
    public static IEnumerable<ImageSource> FromPaths(PSCmdlet cmdlet, IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            IEnumerable<string> resolved;
            try
            {
                resolved = cmdlet.GetResolvedProviderPathFromPSPath(path, out _);
            }
            catch (ItemNotFoundException ex)
            {
                cmdlet.WriteError(new ErrorRecord(ex, ErrorIds.ImageNotFound, ErrorCategory.ObjectNotFound, path)
                {
                    ErrorDetails = new ErrorDetails($"Cannot find an image at '{path}'. Check the path, or use -LiteralPath for names containing [ ] characters."),
                });
                continue;
            }
            foreach (var file in resolved) yield return new ImageSource(null, file);
        }
    }

    /// <summary>The image itself: the in-memory result, or the file decoded (named after the file).</summary>
    public static RenderedImage Load(ImageSource source) =>
        source.Image ?? new RenderedImage(ImageCodec.Read(source.FilePath!), Path.GetFileNameWithoutExtension(source.FilePath!), source.FilePath);
}
