namespace NanoBanana;

/// <summary>One finding of Test-NanoBananaModel.</summary>
public sealed class ModelCheckResult
{
    internal ModelCheckResult(string component, string check, string status, string detail)
    {
        Component = component; Check = check; Status = status; Detail = detail;
    }

    /// <summary>The part checked: model, scheduler, tokenizer, text_encoder, unet, vae_decoder, manifest, …</summary>
    public string Component { get; }

    public string Check { get; }

    /// <summary>Passed, Warning or Failed.</summary>
    public string Status { get; }

    /// <summary>What was found; for a failure, what is wrong and how to fix it.</summary>
    public string Detail { get; }
}
