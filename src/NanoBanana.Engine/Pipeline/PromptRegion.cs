namespace NanoBanana.Pipeline;

/// <summary>A prompt bound to a box of the image, in pixels: a part's own words (its attributes, count and name) over
/// the part's region, so CLIP cannot spread them onto the other parts.</summary>
public sealed record PromptRegion(string Prompt, int X, int Y, int Width, int Height)
{
    /// <summary>The first problem with this region on a <paramref name="imageWidth"/>×<paramref name="imageHeight"/>
    /// image, or null.</summary>
    public string? Problem(int imageWidth, int imageHeight)
    {
        if (string.IsNullOrWhiteSpace(Prompt)) return "a region has an empty prompt; give each region the words of its part.";
        if (Width <= 0 || Height <= 0 || X < 0 || Y < 0 || X + (long)Width > imageWidth || Y + (long)Height > imageHeight)
            return $"region '{Prompt}' at {X},{Y} size {Width}x{Height} is not inside the {imageWidth}x{imageHeight} image.";
        return null;
    }
}
