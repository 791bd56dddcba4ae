using System.Management.Automation;
using NanoBanana.Imaging;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>Writes a result where the user asked (-OutFile or -OutputDirectory), or leaves it in memory.</summary>
internal static class ImageOutput
{
    /// <param name="claims">The files this invocation wrote: a second image for the same file is an error, even with -Force.</param>
    public static RenderedImage Write(PSCmdlet cmdlet, string action, RenderedImage result, string? outFile, string? outputDirectory, bool force, OutputClaims claims)
    {
        string? target = outFile is not null
            ? cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(outFile)
            : outputDirectory is not null
                ? OutputFileName.InDirectory(cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(outputDirectory), result.Name)
                : null;
        if (target is null) return result;
        if (outFile is not null && claims.Count > 0) throw new OutFileWithSeveralImagesException(target);
        string item = $"Image '{result.Name}'";
        claims.EnsureUnclaimed(target, item);
        if (!cmdlet.ShouldProcess(target, "Write " + action)) return result;

        ImageCodec.WritePng(result.Image, target, overwrite: force);
        claims.Claim(target, item);
        return result.WrittenTo(target);
    }
}
