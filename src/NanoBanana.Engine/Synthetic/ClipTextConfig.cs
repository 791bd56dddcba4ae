namespace NanoBanana.Synthetic;

/// <summary>A CLIP text transformer (transformers' <c>CLIPTextConfig</c>); <see cref="ProjectionDim"/> &gt; 0 adds
/// the projection of CLIPTextModelWithProjection (SDXL's second encoder).</summary>
public sealed record ClipTextConfig(int HiddenSize, int Layers, int Heads, int IntermediateSize, bool QuickGelu, int ProjectionDim, int VocabularySize)
{
    public const int MaxPositions = 77;

    /// <summary>Published: CLIP ViT-L/14's text model has 123,060,480 parameters; OpenCLIP bigG's with projection 694,659,840.</summary>
    public const long VitLParameters = 123_060_480, BigGParameters = 694_659_840;

    /// <summary>The real tokenizers' vocabulary: 49,408 ids.</summary>
    public const int ClipVocabularySize = 49_408;

    public static ClipTextConfig First(SyntheticModelSize size, int vocabulary) => size switch
    {
        SyntheticModelSize.Full => new(768, 12, 12, 3072, true, 0, ClipVocabularySize),
        SyntheticModelSize.Small => new(128, 4, 4, 512, true, 0, vocabulary),
        _ => new(32, 3, 2, 64, true, 0, vocabulary),
    };

    public static ClipTextConfig Second(SyntheticModelSize size, int vocabulary) => size switch
    {
        SyntheticModelSize.Full => new(1280, 32, 20, 5120, false, 1280, ClipVocabularySize),
        SyntheticModelSize.Small => new(256, 6, 4, 1024, false, 256, vocabulary),
        _ => new(64, 4, 2, 128, false, 64, vocabulary),
    };
}
