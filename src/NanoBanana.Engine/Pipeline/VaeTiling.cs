namespace NanoBanana.Pipeline;

/// <summary>
/// Tiled VAE decoding: the latents are decoded in overlapping tiles of <see cref="TileSize"/> latent pixels
/// and blended linearly across <see cref="Overlap"/> latent pixels, bounding decoder memory at large sizes.
/// </summary>
public sealed record VaeTiling(int TileSize = 64, int Overlap = 8)
{
    /// <summary>Where tiles start along a latent axis of <paramref name="size"/>: every TileSize − Overlap,
    /// the last one moved back to end exactly at the edge (so it overlaps its neighbour by at least Overlap).</summary>
    public IEnumerable<int> TileOrigins(int size)
    {
        if (size <= TileSize) { yield return 0; yield break; }
        for (int start = 0; ; start += TileSize - Overlap)
        {
            if (start + TileSize >= size) { yield return size - TileSize; yield break; }
            yield return start;
        }
    }

    public void Validate()
    {
        if (TileSize < 4) throw new ArgumentException($"VaeTiling.TileSize is {TileSize}; use at least 4 latent pixels (64 is typical).", nameof(TileSize));
        if (Overlap < 0 || Overlap * 2 > TileSize)
            throw new ArgumentException($"VaeTiling.Overlap is {Overlap}; use 0 to TileSize/2 ({TileSize / 2}).", nameof(Overlap));
    }
}
