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

    /// <summary>Each literal path as a file-system path; one PowerShell cannot resolve (an unknown drive) is an error naming it.</summary>
    public static IEnumerable<ImageSource> FromLiteralPaths(PSCmdlet cmdlet, IEnumerable<string> paths) =>
        paths.SelectMany(path => Resolve(cmdlet, path, () => [cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path)]));

    /// <summary>Expands wildcards; a pattern that matches nothing is a non-terminating error naming it.</summary>
    public static IEnumerable<ImageSource> FromPaths(PSCmdlet cmdlet, IEnumerable<string> paths) =>
        paths.SelectMany(path => Resolve(cmdlet, path, () => cmdlet.GetResolvedProviderPathFromPSPath(path, out _)));

    static IEnumerable<ImageSource> Resolve(PSCmdlet cmdlet, string path, Func<IEnumerable<string>> resolve)
    {
        try
        {
            return resolve().Select(file => new ImageSource(null, file)).ToList();
        }
        catch (ItemNotFoundException ex)
        {
            cmdlet.WriteError(new ErrorRecord(ex, ErrorIds.ImageNotFound, ErrorCategory.ObjectNotFound, path)
            {
                ErrorDetails = new ErrorDetails($"Cannot find an image at '{path}'. Check the path, or use -LiteralPath for names containing [ ] characters."),
            });
        }
        catch (Exception ex) when (ex is SessionStateException or ArgumentException or NotSupportedException or IOException)
        {
            // An unknown drive, a non-file-system provider, an invalid path: this path's error, not the pipeline's end.
            cmdlet.WriteError(new ErrorRecord(ex, ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, path));
        }
        return [];
    }

    /// <summary>The image itself: the in-memory result, or the file decoded (named after the file).</summary>
    public static RenderedImage Load(ImageSource source) =>
        source.Image ?? new RenderedImage(ImageCodec.Read(source.FilePath!), Path.GetFileNameWithoutExtension(source.FilePath!), source.FilePath);
}
