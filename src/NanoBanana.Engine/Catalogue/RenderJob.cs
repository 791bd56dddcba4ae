using NanoBanana.Pipeline;

namespace NanoBanana.Catalogue;

/// <summary>A catalogue row checked and resolved: what to render (seed fixed), on which model, and the file it
/// goes to (null: the image stays in memory). Made by <see cref="NanoBananaEngine.Prepare"/> before
/// anything expensive happens, so -WhatIf and -SkipExisting can decide from it.</summary>
public sealed record RenderJob(RenderRow Row, TextToImageRequest Request, string ModelFolder, string? OutputPath)
{
    public long Seed => Request.Seed!.Value;

    /// <summary>The product name, or the file stem (<c>render-&lt;seed&gt;</c>) for a row without one, so later
    /// cmdlets' -OutputDirectory name the image as this one did.</summary>
    public string Name => string.IsNullOrWhiteSpace(Row.Name) ? Row.FileStem(Seed) : Row.Name.Trim();
}
