namespace NanoBanana.Limits;

/// <summary>Finds NaN and infinity in numbers read or computed, so they become a named error where they appear
/// rather than a black image at the end.</summary>
public static class FiniteValues
{
    /// <summary>The index of the first NaN or infinite value, or -1.</summary>
    public static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }
}
