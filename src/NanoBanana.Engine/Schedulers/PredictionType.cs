namespace NanoBanana.Schedulers;

/// <summary>What the UNet predicts (diffusers' <c>prediction_type</c>).</summary>
public enum PredictionType
{
    /// <summary>The added noise ε ("epsilon").</summary>
    Epsilon,

    /// <summary>v = √ᾱ·ε − √(1−ᾱ)·x₀ ("v_prediction", e.g. SD 2.x 768).</summary>
    VPrediction,

    /// <summary>The clean sample x₀ directly ("sample").</summary>
    Sample,
}

internal static class PredictionTypes
{
    public static PredictionType Parse(string? value) => value switch
    {
        null or "epsilon" => PredictionType.Epsilon,
        "v_prediction" => PredictionType.VPrediction,
        "sample" or "original_sample" => PredictionType.Sample,
        _ => throw new NotSupportedException($"prediction_type '{value}' is not supported; use epsilon, v_prediction or sample."),
    };
}
