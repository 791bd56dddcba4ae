namespace NanoBanana.Imaging.Upscaling;

/// <summary>Progress of one upscale: tiles done out of the total.</summary>
public readonly record struct UpscaleProgress(int TilesDone, int TileCount);
