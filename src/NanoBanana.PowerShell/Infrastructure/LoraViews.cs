using System.Management.Automation;
using NanoBanana.Lora;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>LoRA registry entries as the PowerShell-visible type, and LoRA errors as records.</summary>
internal static class LoraViews
{
    public static LoraInfo ToView(LoraEntry e) => new(e.Name, e.Path, e.Weight, e.Format.ToString(), e.TargetCount, e.Rank);

    public static bool TryCreateError(Exception ex, object target, out ErrorRecord record) => ErrorRecords.TryCreate(ex, target, ex switch
    {
        FileNotFoundException or DirectoryNotFoundException or LoraNotRegisteredException => (ErrorIds.LoraNotFound, ErrorCategory.ObjectNotFound),
        InvalidDataException => (ErrorIds.LoraInvalid, ErrorCategory.InvalidData),
        ArgumentException or SessionStateException => (ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument),
        _ => null,
    }, out record);
}
