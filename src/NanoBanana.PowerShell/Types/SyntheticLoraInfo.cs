namespace NanoBanana;

/// <summary>A LoRA written by New-SyntheticLora, and its merged reference when one was asked for.</summary>
public sealed class SyntheticLoraInfo
{
    internal SyntheticLoraInfo(string path, string keyFormat, int rank, int moduleCount, string? mergedModelPath)
    {
        Path = path; KeyFormat = keyFormat; Rank = rank; ModuleCount = moduleCount; MergedModelPath = mergedModelPath;
    }

    public string Path { get; }

    public string KeyFormat { get; }

    public int Rank { get; }

    /// <summary>Layers the LoRA adapts.</summary>
    public int ModuleCount { get; }

    /// <summary>The merged component's model.onnx (offline reference), or null.</summary>
    public string? MergedModelPath { get; }
}
