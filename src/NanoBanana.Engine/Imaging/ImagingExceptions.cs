namespace NanoBanana.Imaging;

/// <summary>A file that is missing, not an image, or a damaged one. The message names the file and the fix.</summary>
public sealed class ImageFormatException(string message, Exception? inner = null) : FormatException(message, inner);

/// <summary>The output file exists and overwriting was not asked for.</summary>
public sealed class OutputExistsException(string path)
    : IOException($"'{path}' already exists. Use -Force to overwrite it, or choose another -OutFile / -OutputDirectory.")
{
    public string Path { get; } = path;
}

/// <summary>The output location cannot be written (a missing drive, a file in place of a folder, no permission).</summary>
public sealed class OutputNotWritableException(string path, Exception inner)
    : IOException($"Cannot write '{path}': {inner.Message} Choose a folder you can write to.", inner)
{
    public string Path { get; } = path;
}

/// <summary>Two images that must have the same size do not.</summary>
public sealed class ImageSizeMismatchException(int referenceWidth, int referenceHeight, int width, int height)
    : Exception($"The images differ in size: the reference is {referenceWidth}x{referenceHeight}, the other image {width}x{height}. Compare renders made at the same -Width and -Height, or resize one first.");

/// <summary>An item would write a file that an earlier item of the same command wrote (see <see cref="OutputTarget"/>).</summary>
public sealed class DuplicateOutputException(string path, string firstItem, string item)
    : IOException($"{item} would write '{path}', which {firstItem} wrote earlier in this command; -Force never replaces the command's own files. Give each item a distinct name.")
{
    public string Path { get; } = path;

    public string FirstItem { get; } = firstItem;
}

/// <summary>-OutFile names one file, but a second image came for it.</summary>
public sealed class OutFileWithSeveralImagesException(string path)
    : InvalidOperationException($"-OutFile '{path}' names one file, but more than one image came down the pipeline. Use -OutputDirectory to write each image under its own name.")
{
    public string Path { get; } = path;
}
