using System.Management.Automation;
using NanoBanana.Imaging;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>Writes a result where the user asked (the command's <see cref="OutputTarget"/>), under -WhatIf/-Confirm, or leaves it in memory.</summary>
internal static class ImageOutput
{
    public static RenderedImage Write(PSCmdlet cmdlet, string action, RenderedImage result, OutputTarget output)
    {
        if (output.PathFor(result.Name) is not { } target) return result;
        if (!cmdlet.ShouldProcess(target, "Write " + action)) return result;
        output.Write(result.Image, target, $"Image '{result.Name}'");
        return result.WrittenTo(target);
    }
}
