using Microsoft.ML.OnnxRuntime;

namespace NanoBanana.Lora;

/// <summary>
/// The per-image half of unmerged LoRA: the scalar inputs that set each adapter's weight.
/// Weight 0 multiplies the branch by zero, so the output equals the base model exactly.
/// </summary>
public static class LoraScales
{
    public const string InputPrefix = "lora_scale.";

    public static string InputName(string adapterName) => InputPrefix + adapterName;

    /// <summary>
    /// Scalar inputs for the adapters this session actually declares (a UNet segment without any LoRA
    /// layer declares none). Adapters missing from <paramref name="weights"/> get 0; a weight for an
    /// adapter the session does not know is ignored, because another segment may use it.
    /// </summary>
    public static Dictionary<string, OrtValue> CreateInputs(IEnumerable<string> sessionInputNames, IReadOnlyDictionary<string, float> weights)
    {
        var inputs = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
        foreach (string input in sessionInputNames.Where(n => n.StartsWith(InputPrefix, StringComparison.Ordinal)))
        {
            weights.TryGetValue(input[InputPrefix.Length..], out float weight);
            inputs[input] = OrtValue.CreateTensorValueFromMemory(new[] { weight }, Array.Empty<long>());
        }
        return inputs;
    }
}
