using System.Management.Automation;
using NanoBanana.Imaging;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>Maps engine exceptions for one pipeline item to error records with stable ids and the item as target.</summary>
internal static class ImageErrors
{
    public static bool TryCreate(Exception ex, object target, out ErrorRecord record) =>
        ErrorRecords.TryCreate(ex, target, Classify(ex), out record);

    private static (string Id, ErrorCategory Category)? Classify(Exception ex) => ex switch
    {
        FileNotFoundException or DirectoryNotFoundException when ex is not OutputNotWritableException => (ErrorIds.ImageNotFound, ErrorCategory.ObjectNotFound),
        ImageFormatException => (ErrorIds.ImageUnreadable, ErrorCategory.InvalidData),
        OutputExistsException => (ErrorIds.OutputExists, ErrorCategory.ResourceExists),
        OutputNotWritableException or UnauthorizedAccessException => (ErrorIds.OutputNotWritable, ErrorCategory.WriteError),
        OutFileWithSeveralImagesException => (ErrorIds.OutFileWithSeveralImages, ErrorCategory.InvalidOperation),
        ImageSizeMismatchException => (ErrorIds.ImageSizeMismatch, ErrorCategory.InvalidData),
        LayoutMissingException => (ErrorIds.LayoutMissing, ErrorCategory.InvalidData),
        Runtime.DeviceUnavailableException => (ErrorIds.DeviceUnavailable, ErrorCategory.ResourceUnavailable),
        ArgumentException or FormatException => (ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument),
        IOException or InvalidDataException or InvalidOperationException => (ErrorIds.OperationFailed, ErrorCategory.NotSpecified),
        _ => null,
    };
}
