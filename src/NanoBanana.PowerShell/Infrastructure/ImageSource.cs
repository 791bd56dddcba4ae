namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>One image to process: either already in memory or a file path resolved by the provider.</summary>
internal readonly record struct ImageSource(RenderedImage? Image, string? FilePath)
{
    public object Target => (object?)Image ?? FilePath!;

    public string Description => Image?.ToString() ?? FilePath!;
}
