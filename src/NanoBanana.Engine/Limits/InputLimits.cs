namespace NanoBanana.Limits;

/// <summary>
/// Every upper bound the engine puts on what it reads or is asked to make, in one place, each checked before the
/// work it protects starts (before a file is read whole, a buffer allocated or a parser run), so one hostile or
/// oversized item becomes a named error (<see cref="InputTooLargeException"/>) in bounded time and memory.
/// Real inputs sit far below each bound (noted per limit); about_NanoBanana lists them for users.
/// </summary>
public static class InputLimits
{
    /// <summary>A PNG's <c>parameters</c> text (real ones: a few KB); longer text is not read as metadata.</summary>
    public const int MaxMetadataTextBytes = 1 << 20;

    /// <summary>Either side of an image read or written; PNG allows 2³¹, but nothing this module makes is near 65536.</summary>
    public const int MaxImageSide = 65536;

    /// <summary>The largest RGBA buffer .NET can hold in one array, in pixels (about 23170²).</summary>
    public const long MaxImagePixelsPerArray = (long)int.MaxValue / 4;

    /// <summary>Copies of an image an image cmdlet holds at once (input, output, a working copy, the encoded file).</summary>
    const int ImageCopies = 4;

    /// <summary>
    /// The most pixels one image may have, decoded or made: what one RGBA array holds, and no more than the machine's
    /// memory (or <paramref name="budgetBytes"/> when a session sets one) allows for the copies an image cmdlet holds.
    /// </summary>
    public static long MaxImagePixels(long? budgetBytes = null) =>
        Math.Min(MaxImagePixelsPerArray, Math.Max(1, (budgetBytes ?? MachineMemoryBytes) / (4L * ImageCopies)));

    /// <summary>What the machine (or container) lets this process use: the memory a render fits into when no budget is set.</summary>
    public static long MachineMemoryBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Either side of a render. SDXL is trained at 1024; memory (checked against the machine or budget) stops most sizes far sooner.</summary>
    public const int MaxRenderSide = 8192;

    /// <summary>A prompt or negative prompt, in characters (about 55 CLIP windows of 75 tokens; each window is one text-encoder pass).</summary>
    public const int MaxPromptCharacters = 16384;

    /// <summary>A Parts cell, in characters, before it is parsed as XML.</summary>
    public const int MaxPartsCharacters = 65536;

    /// <summary>Elements in a structured (XML) Parts cell: a parts list, not a document.</summary>
    public const int MaxPartsElements = 1000;

    /// <summary>model_index.json, config.json, scheduler_config.json and tokenizer configs (real ones: under 2 KB).</summary>
    public const int MaxConfigJsonBytes = 1 << 20;

    /// <summary>vocab.json (CLIP's: 1.6 MB) and merges.txt (0.5 MB).</summary>
    public const int MaxVocabularyFileBytes = 16 << 20;

    /// <summary>Tokens in vocab.json and lines in merges.txt (CLIP: 49408 and 48894).</summary>
    public const int MaxVocabularyEntries = 500_000;

    /// <summary>Nodes in one ONNX graph (SDXL's UNet export: about 20 000), counted before the graph is parsed.</summary>
    public const int MaxOnnxNodes = 1_000_000;

    /// <summary>Initializers, inputs, outputs and value_info entries of one ONNX graph, each counted before parsing.</summary>
    public const int MaxOnnxGraphEntries = 1_000_000;

    /// <summary>Largest num_train_timesteps in scheduler_config.json (every released model: 1000).</summary>
    public const int MaxTrainTimesteps = 100_000;

    /// <summary>An ncnn .param file (Real-ESRGAN's: 20 KB).</summary>
    public const int MaxNcnnParamBytes = 4 << 20;

    /// <summary>An ncnn .bin file (Real-ESRGAN x4plus: 67 MB).</summary>
    public const int MaxNcnnBinBytes = 1 << 30;

    /// <summary>Channels of one ncnn convolution (Real-ESRGAN: 64).</summary>
    public const int MaxNcnnChannels = 65536;

    /// <summary>A side of an ncnn convolution kernel (Real-ESRGAN: 3).</summary>
    public const int MaxNcnnKernel = 31;

    /// <summary>An ncnn Interp (nearest) scale factor (Real-ESRGAN: 2) and a whole upscaling model's scale (4).</summary>
    public const int MaxUpscaleFactor = 16;

    /// <summary>An output file name in UTF-8 bytes, leaving room under the usual 255-byte limit for ".png" and the
    /// atomic writer's temporary suffix.</summary>
    public const int MaxFileNameBytes = 200;

    /// <summary>Throws <see cref="InputTooLargeException"/> when <paramref name="actual"/> exceeds <paramref name="limit"/>.</summary>
    public static void Check(string item, string what, long actual, long limit, string fix)
    {
        if (actual > limit) throw new InputTooLargeException(item, what, actual, limit, fix);
    }

    /// <summary>The file's length, after checking it against <paramref name="limit"/> (read nothing of a file that is too large).</summary>
    public static long CheckFileLength(string path, long limit, string fix)
    {
        long length = new FileInfo(path).Length;
        Check(path, "file size in bytes", length, limit, fix);
        return length;
    }

    /// <summary>The file's text, read only after its length passed <paramref name="limit"/>.</summary>
    public static string ReadText(string path, long limit, string fix)
    {
        CheckFileLength(path, limit, fix);
        return File.ReadAllText(path);
    }
}
