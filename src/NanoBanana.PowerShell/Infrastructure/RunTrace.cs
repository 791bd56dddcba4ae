using NanoBanana.Runs;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>
/// What an image carries from New-ExplodedView down the pipeline when its render is recorded: the run, the row's
/// key and the hash of the stage that made it. Invoke-Upscale and Optimize-Sharpness append their own stage's lines
/// to the same worker file through it, each chaining its settings onto the hash it received.
/// </summary>
internal sealed record RunTrace(RenderRun Run, string Key, string Hash)
{
    public RenderRun.RunStep Start(string stage, (string Name, string Value)[] settings, string? output) =>
        Run.Start(Key, stage, RenderFingerprint.Chain(Hash, stage, settings), output, input: Hash);
}
