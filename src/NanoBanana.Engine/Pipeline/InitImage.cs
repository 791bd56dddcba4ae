using NanoBanana.Imaging;

namespace NanoBanana.Pipeline;

/// <summary>An image a render starts from (-InitImage), with the file it was read from (recorded in the PNG's parameters
/// and the run record's render hash).</summary>
public sealed record InitImage(string Path, RgbaImage Image)
{
    /// <summary>How the parameters name the layout's own guide as the start image.</summary>
    public const string LayoutSource = "layout";
}
