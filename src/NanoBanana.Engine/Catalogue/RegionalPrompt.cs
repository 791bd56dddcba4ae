namespace NanoBanana.Catalogue;

/// <summary>Whether a laid-out row's parts get their own words over their own boxes (regional prompts).</summary>
public enum RegionalPrompt
{
    On,
    Off,
}
