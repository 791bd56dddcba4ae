using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;
using NanoBanana.Models;

namespace NanoBanana.Runtime;

/// <summary>
/// Turns ONNX Runtime's text when a model file fails to load ("[ErrorCode:Fail] External data path validation
/// failed … tensorprotoutils.cc:461 …") into a <see cref="ModelInvalidException"/> naming the component file, the
/// problem in plain words and the fix; ORT's own text stays in the inner exception.
/// </summary>
public static partial class OrtLoadErrors
{
    [GeneratedRegex(@"Could not find an implementation for (\w+)\((\d+)\)")]
    private static partial Regex MissingKernel();

    /// <summary>The exception to throw for a load failure of the ONNX file at <paramref name="path"/>.</summary>
    public static ModelInvalidException Explain(string path, OnnxRuntimeException error)
    {
        string text = error.Message;
        string component = Path.GetFileName(Path.GetDirectoryName(path)) ?? "";
        const string Check = "Test-NanoBananaModel on the model folder lists every missing or broken file.";
        string reexport = $"Re-export the model (`optimum-cli export onnx --model <id> <folder>`) or copy {component}/ again from a complete export.";
        if (MissingKernel().Match(text) is { Success: true } kernel)
        {
            var (problem, fix) = ContribOps.GpuOnly.Contains(kernel.Groups[1].Value)
                ? ContribOps.Explain(kernel.Groups[1].Value)
                : ($"uses operator {kernel.Groups[1].Value} (opset {kernel.Groups[2].Value}), which this ONNX Runtime build has no kernel for on the chosen device",
                   "Re-export with a standard opset (`optimum-cli export onnx`, opset 14–17), or use a device whose provider has the operator.");
            return new ModelInvalidException(path, problem, fix, error);
        }
        if (text.Contains("External data", StringComparison.OrdinalIgnoreCase) || text.Contains("external initializer", StringComparison.OrdinalIgnoreCase)
            || text.Contains("onnx_data", StringComparison.Ordinal))
            return new ModelInvalidException(path, "keeps its weights in an external data file (model.onnx_data) that is missing, truncated or not the one it was exported with",
                $"Copy model.onnx_data from the original export next to model.onnx in {component}/. " + Check, error);
        if (text.Contains("Protobuf parsing failed", StringComparison.Ordinal) || text.Contains("INVALID_PROTOBUF", StringComparison.Ordinal))
            return new ModelInvalidException(path, "is not a readable ONNX model (truncated, or not an ONNX file)", reexport, error);
        if (text.Contains("opset", StringComparison.OrdinalIgnoreCase) || text.Contains("IR version", StringComparison.OrdinalIgnoreCase))
            return new ModelInvalidException(path, "was exported for a newer ONNX version (opset or IR version) than this ONNX Runtime reads",
                "Re-export with opset 17 or lower (`optimum-cli export onnx --opset 17`).", error);
        return new ModelInvalidException(path, "could not be loaded by ONNX Runtime (see the inner exception for its own words)", reexport + " " + Check, error);
    }
}
