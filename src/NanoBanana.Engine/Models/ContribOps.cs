using NanoBanana.Onnx.Proto;

namespace NanoBanana.Models;

/// <summary>
/// ONNX Runtime's own (com.microsoft) operators that its Stable Diffusion optimiser writes when it fuses a graph for
/// CUDA/DirectML, and that the CPU provider has no kernel for: such an export loads only on a GPU provider.
/// </summary>
public static class ContribOps
{
    public const string Domain = "com.microsoft";

    /// <summary>Attention without the score matrix in memory (flash attention on CPU and CUDA); written by
    /// <c>Optimize-NanoBananaModel -FuseAttention</c>, and run by every provider.</summary>
    public const string MultiHeadAttention = "MultiHeadAttention";

    public static IReadOnlySet<string> GpuOnly { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "GroupNorm", "SkipGroupNorm", "NhwcConv", "BiasSplitGelu", "BiasAdd",
    };

    /// <summary>Declares the com.microsoft opset on a model a rewrite has given one of these operators.</summary>
    public static void Import(ModelProto model)
    {
        if (!model.OpsetImport.Any(o => o.Domain == Domain)) model.OpsetImport.Add(new OperatorSetIdProto { Domain = Domain, Version = 1 });
    }

    /// <summary>What to tell the user about a component graph using <paramref name="op"/> from com.microsoft.</summary>
    public static (string Problem, string Fix) Explain(string op) => (
        $"uses ONNX Runtime's operator {Domain}.{op}, which the CPU provider cannot run (the export was optimised for a GPU by ONNX Runtime's transformers optimiser)",
        "Use the un-optimised export (`optimum-cli export onnx` without `--optimize`), or render on a GPU (-Device Cuda) whose provider has the operator.");
}
