namespace NanoBanana;

/// <summary>An upscaling model imported into the user's model store.</summary>
public sealed class UpscaleModelInfo
{
    internal UpscaleModelInfo(string name, string path, int scale, int receptiveRadius)
    {
        Name = name;
        Path = path;
        Scale = scale;
        ReceptiveRadius = receptiveRadius;
    }

    /// <summary>The name to pass to Invoke-Upscale -Model.</summary>
    public string Name { get; }

    public string Path { get; }

    /// <summary>The model's own upscaling factor.</summary>
    public int Scale { get; }

    /// <summary>Input pixels of context each tile needs so tiled output equals untiled output.</summary>
    public int ReceptiveRadius { get; }
}
