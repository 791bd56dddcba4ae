using System.Text.Json;
using NanoBanana.Limits;

namespace NanoBanana.Models;

/// <summary>
/// Reads a model folder's small JSON files (model_index.json, a component's config.json) within
/// <see cref="InputLimits.MaxConfigJsonBytes"/>, and turns every way such a file can be wrong (not JSON, invalid
/// UTF-8, a value of the wrong kind) into an <see cref="InvalidDataException"/> naming the file, the key and the fix.
/// </summary>
public static class ModelConfigFile
{
    /// <summary>The file's root object.</summary>
    public static JsonElement Read(string path)
    {
        string text = InputLimits.ReadText(path, InputLimits.MaxConfigJsonBytes, "Config files of real models are a few KB; copy the original file again.");
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"'{path}' must hold one JSON object, not {document.RootElement.ValueKind}. Copy the original file again.");
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message} Copy the original file again.", e);
        }
    }

    /// <summary>A string value, or null when the key is absent; a value of another kind is an error naming the key.</summary>
    public static string? String(JsonElement root, string key, string path) =>
        !root.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? Text(value, key, path)
        : throw WrongKind(path, key, value, "a string");

    /// <summary>A number value, or null when the key is absent; a value of another kind or a non-finite one is an error.</summary>
    public static double? Number(JsonElement root, string key, string path) =>
        !root.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.Number && double.IsFinite(value.GetDouble()) ? value.GetDouble()
        : throw WrongKind(path, key, value, "a finite number");

    /// <summary>An array of whole numbers in [<paramref name="min"/>, <paramref name="max"/>], or null when the key is absent.</summary>
    public static int[]? Integers(JsonElement root, string key, string path, int min, int max)
    {
        if (!root.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() is 0 or > 64)
            throw WrongKind(path, key, value, "an array of 1 to 64 whole numbers");
        return value.EnumerateArray().Select(e => e.TryGetInt32(out int n) && n >= min && n <= max ? n
            : throw WrongKind(path, key, value, $"whole numbers from {min} to {max}")).ToArray();
    }

    /// <summary>An array of strings, or null when the key is absent.</summary>
    public static string[]? Strings(JsonElement root, string key, string path)
    {
        if (!root.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > 64) throw WrongKind(path, key, value, "an array of up to 64 strings");
        return value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? Text(e, key, path) : throw WrongKind(path, key, value, "an array of strings")).ToArray();
    }

    static string Text(JsonElement value, string key, string path)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new InvalidDataException($"'{path}': \"{key}\" is not valid UTF-8 text. Copy the original file again.");
        }
    }

    static InvalidDataException WrongKind(string path, string key, JsonElement value, string expected) =>
        new($"'{path}': \"{key}\" is {Excerpt.Of(value.GetRawText())}; it must be {expected}. Copy the original file again.");
}
