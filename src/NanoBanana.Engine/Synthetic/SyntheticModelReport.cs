namespace NanoBanana.Synthetic;

/// <summary>Parameters of one top-level module (<c>down_blocks.1</c>, <c>text_model</c>, …) and their bytes on disk.</summary>
public sealed record ParameterBlock(string Component, string Block, long Parameters, long Bytes);

/// <summary>What the forge wrote: parameters per component and block, the published figure where there is one,
/// and the cost of building it.</summary>
public sealed record SyntheticModelReport(
    string Folder,
    SyntheticModelOptions Options,
    IReadOnlyList<ParameterBlock> Blocks,
    IReadOnlyDictionary<string, long> PublishedParameters,
    TimeSpan Elapsed,
    long PeakWorkingSetBytes)
{
    public long ParametersOf(string component) => Blocks.Where(b => b.Component == component).Sum(b => b.Parameters);

    public long TotalParameters => Blocks.Sum(b => b.Parameters);

    public long TotalBytes => Blocks.Sum(b => b.Bytes);
}
