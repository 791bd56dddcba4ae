using System.Globalization;
using System.Management.Automation;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>
/// Binds a typed numeric render parameter (int, long, double) from a CSV cell or a value without losing what the
/// user wrote. An empty cell means "not given" (null, never 0). A value that converts exactly is bound; any other
/// (a "ten", or 2.5 for a whole number, which PowerShell would round) binds as null and its text is kept for the
/// cmdlet, which hands it to the engine, so the row fails with InvalidRenderRow naming the row, the field and the
/// fix instead of a binding error that names no row. The texts are kept per thread (PowerShell binds a pipeline
/// object and runs ProcessRecord for it on the same thread) until the cmdlet takes them: the command line's in
/// BeginProcessing, each row's in its ProcessRecord.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RenderCellAttribute(string field) : ArgumentTransformationAttribute
{
    [ThreadStatic] private static Dictionary<string, string>? _unconverted;

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        var unconverted = _unconverted ??= new Dictionary<string, string>(StringComparer.Ordinal);
        unconverted.Remove(field);
        if (value is null || value is string blank && string.IsNullOrWhiteSpace(blank)) return null;
        if (TryExact(value) is { } converted) return converted;
        unconverted[field] = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
        return null;
    }

    /// <summary>The texts that did not convert since the last call, by field; the next binding starts empty.</summary>
    public static IReadOnlyDictionary<string, string> TakeUnconverted()
    {
        var cells = _unconverted ?? new Dictionary<string, string>(StringComparer.Ordinal);
        _unconverted = null;
        return cells;
    }

    // Whole numbers for the integer fields, any finite number for CfgScale and LayoutStrength; text parsed with the
    // invariant culture.
    private object? TryExact(object value)
    {
        bool whole = field is not ("CfgScale" or "LayoutStrength");
        double? number = value switch
        {
            string s => double.TryParse(s.Trim(), whole ? NumberStyles.AllowLeadingSign : NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : null,
            IConvertible c when value is not bool and not char => SafeDouble(c),
            _ => null,
        };
        if (number is not { } n || !double.IsFinite(n)) return null;
        if (!whole) return n;
        if (n != Math.Floor(n)) return null;
        if (field == "Seed") return value is string text && long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seed) ? seed
            : n is >= long.MinValue and <= long.MaxValue ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : null;
        return n is >= int.MinValue and <= int.MaxValue ? (int)n : null;
    }

    private static double? SafeDouble(IConvertible c)
    {
        try { return c.ToDouble(CultureInfo.InvariantCulture); }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException) { return null; }
    }
}
