using System.Management.Automation;
using NanoBanana.Catalogue;
using NanoBanana.Imaging;
using NanoBanana.Lora;
using NanoBanana.Models;
using NanoBanana.Pipeline;
using NanoBanana.Runtime;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>Maps the engine's exceptions for one catalogue row to error records with stable ids and the row as
/// target. Separate from <see cref="ImageErrors"/>: here a missing file is the model, not an input image.</summary>
internal static class RenderErrors
{
    public static bool TryCreate(Exception ex, object target, out ErrorRecord record) =>
        ErrorRecords.TryCreate(ex, target, Classify(ex), out record);

    private static (string Id, ErrorCategory Category)? Classify(Exception ex) => ex switch
    {
        RenderRowException => (ErrorIds.InvalidRenderRow, ErrorCategory.InvalidArgument),
        ModelPathNotSetException => (ErrorIds.ModelNotSet, ErrorCategory.InvalidOperation),
        RenderMemoryException => (ErrorIds.InsufficientMemory, ErrorCategory.ResourceUnavailable),
        DeviceUnavailableException => (ErrorIds.DeviceUnavailable, ErrorCategory.ResourceUnavailable),
        NonFiniteLatentsException => (ErrorIds.RenderDiverged, ErrorCategory.InvalidResult),
        LoraNotRegisteredException => (ErrorIds.LoraNotFound, ErrorCategory.ObjectNotFound),
        OutputExistsException => (ErrorIds.OutputExists, ErrorCategory.ResourceExists),
        OutputNotWritableException => (ErrorIds.OutputNotWritable, ErrorCategory.WriteError),
        OutFileWithSeveralImagesException => (ErrorIds.OutFileWithSeveralImages, ErrorCategory.InvalidOperation),
        // Rendering reads nothing but the model folder, so any missing file or folder is the model's.
        FileNotFoundException or DirectoryNotFoundException => (ErrorIds.ModelNotFound, ErrorCategory.ObjectNotFound),
        ModelInvalidException or InvalidDataException or NotSupportedException => (ErrorIds.ModelInvalid, ErrorCategory.InvalidData),
        // By name: naming the type would make this (default-context) assembly load ONNX Runtime outside the module's context.
        // ORT reports a failed allocation as its own exception whose message carries C++'s bad_alloc.
        _ when ex.GetType().FullName == "Microsoft.ML.OnnxRuntime.OnnxRuntimeException" && ex.Message.Contains("bad_alloc", StringComparison.Ordinal)
            => (ErrorIds.InsufficientMemory, ErrorCategory.ResourceUnavailable),
        _ when ex.GetType().FullName == "Microsoft.ML.OnnxRuntime.OnnxRuntimeException" => (ErrorIds.ModelInvalid, ErrorCategory.InvalidData),
        // A path PowerShell cannot resolve (an unknown drive, a non-file-system provider).
        ArgumentException or SessionStateException => (ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument),
        IOException or UnauthorizedAccessException => (ErrorIds.OperationFailed, ErrorCategory.NotSpecified),
        _ => null,
    };
}
