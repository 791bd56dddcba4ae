using System.Text.Json;
using NanoBanana.Limits;

namespace NanoBanana.Text;

/// <summary>
/// Reads a tokenizer folder's files within <see cref="InputLimits"/>: vocab.json streamed token by token (a
/// 10-million-entry file is refused at its 500 001st entry, not after gigabytes of dictionary), merges.txt by
/// line, and the pad token of the small JSON configs. Every malformation is an <see cref="InvalidDataException"/>.
/// </summary>
internal static class VocabularyFile
{
    const string Fix = "Copy the tokenizer folder from the original diffusers model.";

    public static Dictionary<string, int> ReadVocabulary(string path)
    {
        InputLimits.CheckFileLength(path, InputLimits.MaxVocabularyFileBytes, Fix);
        var reader = new Utf8JsonReader(File.ReadAllBytes(path), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw Bad(path, "it is not a JSON object");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string token = reader.GetString()!;
                if (!reader.Read() || reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int id))
                    throw Bad(path, $"token '{Excerpt.Of(token)}' does not map to an integer id");
                InputLimits.Check(path, "the number of tokens", vocab.Count + 1, InputLimits.MaxVocabularyEntries, Fix);
                vocab[token] = id;
            }
            if (reader.TokenType != JsonTokenType.EndObject) throw Bad(path, "it must be one JSON object mapping each token to its integer id");
        }
        catch (JsonException e)
        {
            throw Bad(path, $"it is not valid JSON ({e.Message})");
        }
        catch (InvalidOperationException)
        {
            throw Bad(path, "a token is not valid UTF-8");
        }
        return vocab;
    }

    /// <summary>The lines of merges.txt, after checking the file's size; the count is checked as they are read.</summary>
    public static IEnumerable<string> ReadMerges(string path)
    {
        InputLimits.CheckFileLength(path, InputLimits.MaxVocabularyFileBytes, Fix);
        int count = 0;
        foreach (string line in File.ReadLines(path))
        {
            InputLimits.Check(path, "the number of merges", ++count, InputLimits.MaxVocabularyEntries, Fix);
            yield return line;
        }
    }

    /// <summary>pad_token: a string or an AddedToken object {"content": "!", ...}; null when the file or key is absent.</summary>
    public static string? ReadPadToken(string path)
    {
        if (!File.Exists(path)) return null;
        string text = InputLimits.ReadText(path, InputLimits.MaxConfigJsonBytes, Fix);
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("pad_token", out var pad)) return null;
            return pad.ValueKind switch
            {
                JsonValueKind.String => pad.GetString(),
                JsonValueKind.Object when pad.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String => c.GetString(),
                _ => null,
            };
        }
        catch (JsonException e)
        {
            throw Bad(path, $"it is not valid JSON ({e.Message})");
        }
        catch (InvalidOperationException)
        {
            throw Bad(path, "pad_token is not valid UTF-8");
        }
    }

    static InvalidDataException Bad(string path, string problem) => new($"'{path}': {problem}. {Fix}");
}
