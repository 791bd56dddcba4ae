using System.Management.Automation;
using NanoBanana.Imaging;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>Maps engine exceptions for one pipeline item to error records with stable ids and the item as target.</summary>
internal static class ImageErrors
{
    public static bool TryCreate(Exception ex, object target, out ErrorRecord record)
    {
        (string id, ErrorCategory category)? kind = ex switch
        {
            FileNotFoundException or DirectoryNotFoundException when ex is not OutputNotWritableException => (ErrorIds.ImageNotFound, ErrorCategory.ObjectNotFound),
            ImageFormatException => (ErrorIds.ImageUnreadable, ErrorCategory.InvalidData),
            OutputExistsException => (ErrorIds.OutputExists, ErrorCategory.ResourceExists),
            OutputNotWritableException or UnauthorizedAccessException => (ErrorIds.OutputNotWritable, ErrorCategory.WriteError),
            OutFileWithSeveralImagesException => (ErrorIds.OutFileWithSeveralImages, ErrorCategory.InvalidOperation),
            ImageSizeMismatchException => (ErrorIds.ImageSizeMismatch, ErrorCategory.InvalidData),
            ArgumentException => (ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument),
            IOException or InvalidDataException or InvalidOperationException => (ErrorIds.OperationFailed, ErrorCategory.NotSpecified),
            _ => null,
        };
        if (kind is null)
        {
            record = null!;
            return false;
        }
        record = new ErrorRecord(ex, kind.Value.id, kind.Value.category, target);
        return true;
    }
}

/// <summary>-OutFile names one file, but the pipeline brought a second image.</summary>
public sealed class OutFileWithSeveralImagesException(string path)
    : InvalidOperationException($"-OutFile '{path}' names one file, but more than one image came down the pipeline. Use -OutputDirectory to write each image under its own name.");
