using System.Collections;
using System.Collections.Specialized;

namespace NanoBanana;

/// <summary>A model folder written by New-SyntheticModel.</summary>
public sealed class SyntheticModelInfo
{
    internal SyntheticModelInfo(string path, string architecture, string size, string precision, string linearStyle, int seed,
        OrderedDictionary parameters, long parameterCount, long sizeBytes, TimeSpan elapsed)
    {
        Path = path; Architecture = architecture; Size = size; Precision = precision; LinearStyle = linearStyle; Seed = seed;
        Parameters = parameters; ParameterCount = parameterCount; SizeBytes = sizeBytes; Elapsed = elapsed;
    }

    /// <summary>The model folder: pass it to New-ExplodedView -ModelPath or set $env:NANOBANANA_MODEL to it.</summary>
    public string Path { get; }

    public string Architecture { get; }

    public string Size { get; }

    public string Precision { get; }

    public string LinearStyle { get; }

    public int Seed { get; }

    /// <summary>Parameters per component (text_encoder, unet, …).</summary>
    public IDictionary Parameters { get; }

    public long ParameterCount { get; }

    /// <summary>Bytes written, all files included.</summary>
    public long SizeBytes { get; }

    public TimeSpan Elapsed { get; }
}
