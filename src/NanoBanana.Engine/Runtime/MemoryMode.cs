namespace NanoBanana.Runtime;

/// <summary>How much of a model stays in device memory between uses.</summary>
public enum MemoryMode
{
    /// <summary>Every component resident, the UNet whole: fastest, needs the most memory.</summary>
    Full,

    /// <summary>Like A1111's --medvram: components and UNet segments loaded on demand, the least recently used
    /// released when the budget needs room, the next segment prefetched while the current one runs.</summary>
    Balanced,

    /// <summary>Like A1111's --lowvram: smallest segments, nothing kept beyond the running and the prefetched
    /// segment, text encoders on the CPU, VAE decoded in tiles.</summary>
    Low,
}
