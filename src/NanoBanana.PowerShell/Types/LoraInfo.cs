namespace NanoBanana;

/// <summary>A registered LoRA and its current weight.</summary>
public sealed class LoraInfo
{
    internal LoraInfo(string name, string path, double weight, string format, int targetCount, int rank)
    {
        Name = name; Path = path; Weight = weight; Format = format; TargetCount = targetCount; Rank = rank;
    }

    /// <summary>The name for -Name and New-ExplodedView -LoraWeight.</summary>
    public string Name { get; }

    public string Path { get; }

    /// <summary>Applied to every render (0 disables it) unless a render overrides it.</summary>
    public double Weight { get; }

    /// <summary>Kohya or Peft key names.</summary>
    public string Format { get; }

    /// <summary>Layers the file adapts.</summary>
    public int TargetCount { get; }

    public int Rank { get; }
}
