namespace NanoBanana.Imaging.Upscaling;

/// <summary>An ncnn model that cannot be converted; the message names the file, the layer and what is wrong.</summary>
public sealed class NcnnFormatException(string message) : FormatException(message);
