namespace NanoBanana.Lora;

/// <summary>A weight names a LoRA the registry does not hold; the message lists the registered ones and the fix.</summary>
public sealed class LoraNotRegisteredException(string name, string message) : KeyNotFoundException(message)
{
    public string LoraName { get; } = name;
}
