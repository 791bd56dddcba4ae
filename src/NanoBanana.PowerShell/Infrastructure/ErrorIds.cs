namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>
/// Stable error identifiers (the first part of FullyQualifiedErrorId). Scripts and Pester tests match
/// on these, so they never change once published.
/// </summary>
public static class ErrorIds
{
    public const string ImageNotFound = "ImageNotFound";
    public const string ImageUnreadable = "ImageUnreadable";
    public const string OutputExists = "OutputExists";
    public const string OutputNotWritable = "OutputNotWritable";
    public const string OutFileWithSeveralImages = "OutFileWithSeveralImages";
    public const string InvalidArgument = "InvalidArgument";
    public const string ImageSizeMismatch = "ImageSizeMismatch";
    /// <summary>An image without a part layout given to Add-PartLabel or Measure-ExplodedView.</summary>
    public const string LayoutMissing = "LayoutMissing";
    public const string OperationFailed = "OperationFailed";
    public const string ModelNotFound = "ModelNotFound";
    public const string ModelInvalid = "ModelInvalid";
    /// <summary>A catalogue row with an empty prompt, a bad number, an unknown style or scheduler, …; the message names the field.</summary>
    public const string InvalidRenderRow = "InvalidRenderRow";
    /// <summary>No -ModelPath, no session model and no $env:NANOBANANA_MODEL.</summary>
    public const string ModelNotSet = "ModelNotSet";
    /// <summary>A render whose estimated peak memory exceeds the session's budget in its memory mode.</summary>
    public const string InsufficientMemory = "InsufficientMemory";
    /// <summary>-Device Cuda where CUDA cannot run (the message says why: no CUDA build, a library that did not load).</summary>
    public const string DeviceUnavailable = "DeviceUnavailable";
    /// <summary>A LoRA name that is not registered (Add-Lora registers one).</summary>
    public const string LoraNotFound = "LoraNotFound";
    /// <summary>A LoRA file that cannot be read: truncated, a hostile header, an unsupported dtype, mismatched shapes.</summary>
    public const string LoraInvalid = "LoraInvalid";
    /// <summary>An input over one of the engine's limits (image size, prompt or Parts length, file size, entry count); the message names the limit.</summary>
    public const string InputTooLarge = "InputTooLarge";
    /// <summary>An item would write a file an earlier item of the same run wrote (even with -Force).</summary>
    public const string DuplicateOutput = "DuplicateOutput";
    /// <summary>A render's latents became NaN or infinite at a denoising step (the message names the step).</summary>
    public const string RenderDiverged = "RenderDiverged";
    /// <summary>A failure the module does not classify (a defect: please report it); the item is skipped and the others go on.</summary>
    public const string UnexpectedError = "UnexpectedError";

    /// <summary>A catalogue whose rows cannot be sharded or recorded: a missing or duplicated key.</summary>
    public const string CatalogueKeyInvalid = "CatalogueKeyInvalid";

    /// <summary>A shard index or count (or scheduler variables) that cannot be used.</summary>
    public const string ShardInvalid = "ShardInvalid";

    /// <summary>A run record that cannot be read.</summary>
    public const string RunRecordUnreadable = "RunRecordUnreadable";

    /// <summary>The stable id of an error record: its FullyQualifiedErrorId without the command name.</summary>
    public static string Of(System.Management.Automation.ErrorRecord record) => record.FullyQualifiedErrorId.Split(',')[0];
}
