namespace NanoBanana.Lora;

/// <summary>A registered LoRA: its file, its current weight and the parsed adapter.</summary>
public sealed record LoraEntry(string Name, string Path, double Weight, LoraAdapter Adapter)
{
    public LoraKeyFormat Format => Adapter.Format;

    public int TargetCount => Adapter.Targets.Count;

    /// <summary>The largest rank of its layers (LoRAs usually use one rank throughout).</summary>
    public int Rank => Adapter.Targets.Count == 0 ? 0 : Adapter.Targets.Max(t => t.Rank);
}
