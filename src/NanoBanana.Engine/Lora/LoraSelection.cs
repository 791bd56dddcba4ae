namespace NanoBanana.Lora;

/// <summary>
/// The LoRAs of one render, resolved once from the registry: the adapters whose branches the UNet carries and the
/// weight of each (registered weights with the render's overrides applied). The pipeline records the weights in the
/// image's parameters and hands the selection to the UNet runner, which feeds the weights as the branches' scales.
/// </summary>
public sealed record LoraSelection(LoraSnapshot Adapters, IReadOnlyDictionary<string, double> Weights)
{
    public static readonly LoraSelection None = new(LoraSnapshot.None, new Dictionary<string, double>());
}
