namespace NanoBanana.Diffusion;

/// <summary>
/// Tiled VAE decoding: the latents are decoded in overlapping tiles of <see cref="TileSize"/> latent pixels
/// and blended linearly across <see cref="Overlap"/> latent pixels, bounding decoder memory at large sizes.
/// </summary>
public sealed record VaeTiling(int TileSize = 64, int Overlap = 8)
{
    public void Validate()
    {
        if (TileSize < 4) throw new ArgumentException($"VaeTiling.TileSize is {TileSize}; use at least 4 latent pixels (64 is typical).", nameof(TileSize));
        if (Overlap < 0 || Overlap * 2 > TileSize)
            throw new ArgumentException($"VaeTiling.Overlap is {Overlap}; use 0 to TileSize/2 ({TileSize / 2}).", nameof(Overlap));
    }
}
