using NanoBanana.Onnx.Proto;

namespace NanoBanana.Unet;

/// <summary>
/// A contiguous run of the UNet's nodes cut out as a standalone model. Its initializers still point at the
/// original <c>model.onnx_data</c> by offset (no copy of the weights); <see cref="Inputs"/> are graph inputs and
/// boundary tensors of earlier segments (skip connections included), <see cref="Outputs"/> what later segments
/// or the graph's output read. <see cref="Key"/> is what its session is counted and cached under.
/// The graph is read by <see cref="LoadGraph"/> when a session is built and not kept: once the session exists,
/// holding the graph too would only double what stays resident.
/// </summary>
public sealed record UnetSegment(
    string Key,
    int Index,
    string FirstModule,
    string LastModule,
    Func<ModelProto> LoadGraph,
    long WeightBytes,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs)
{
    public override string ToString() => $"{Key} ({FirstModule} … {LastModule}, {WeightBytes / 1048576.0:F1} MiB)";
}
