using System.Text;
using System.Text.Json;
using NanoBanana.Text;

namespace NanoBanana.Synthetic;

/// <summary>
/// A small CLIP-style byte-level BPE vocabulary, trained here on a built-in product-description corpus:
/// CLIP's ordering (256 byte symbols, the same with <c>&lt;/w&gt;</c>, one token per merge, then
/// <c>&lt;|startoftext|&gt;</c> and <c>&lt;|endoftext|&gt;</c> last), so any text tokenises (unknown words fall
/// back to bytes) and common catalogue words are single tokens.
/// </summary>
internal sealed class ClipVocabularyBuilder
{
    const string Corpus =
        "a an the and with of on in for to by at from as is are this that its it one two three four five six " +
        "knolling flat lay exploded view technical schematic diagram line art annotation annotations callout labels " +
        "parts part components component separated along axis evenly spaced spacing white background studio lighting " +
        "product catalogue catalog render photo photograph high detail detailed sharp clean isometric top down orthographic " +
        "overlapping overlap clutter cluttered blurry blur text watermark logo low quality deformed cropped " +
        "screw screws bolt bolts nut nuts washer washers spring springs gear gears shaft bearing bearings housing cover " +
        "lid case frame bracket plate panel board circuit chip battery cable wire connector switch button knob lens " +
        "glass metal steel aluminium aluminum brass copper plastic rubber wood leather fabric ceramic carbon fibre " +
        "red green blue black white grey gray silver gold orange yellow matte glossy brushed anodised " +
        "coffee grinder burr hopper blade motor drill chuck battery pack keyboard keycap keycaps switches stabilizers " +
        "camera body mount sensor shutter watch movement dial hands strap crown bicycle wheel hub spokes chain pedal " +
        "headphones driver cushion headband speaker cone magnet phone screen display frame back kettle lamp bulb shade";

    public ClipVocabularyBuilder(int maxMerges)
    {
        var words = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string word in Corpus.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            words[word] = words.GetValueOrDefault(word) + 1;
        var pieces = words.Keys.OrderBy(w => w, StringComparer.Ordinal)
            .Select(w => (Symbols: Initial(w), Count: words[w])).ToList();

        var merges = new List<(string, string)>();
        while (merges.Count < maxMerges)
        {
            var pairs = new Dictionary<(string, string), int>();
            foreach (var (symbols, count) in pieces)
                for (int i = 0; i < symbols.Count - 1; i++)
                    pairs[(symbols[i], symbols[i + 1])] = pairs.GetValueOrDefault((symbols[i], symbols[i + 1])) + count;
            if (pairs.Count == 0) break;
            // Most frequent pair; ties broken by ordinal order so the vocabulary is reproducible.
            var best = pairs.OrderByDescending(p => p.Value).ThenBy(p => p.Key.Item1 + " " + p.Key.Item2, StringComparer.Ordinal).First().Key;
            merges.Add(best);
            foreach (var (symbols, _) in pieces) Merge(symbols, best);
        }
        Merges = merges;

        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        void Add(string token) => vocab.TryAdd(token, vocab.Count);
        var bytes = ClipTokenizer.ByteSymbolsInVocabularyOrder().ToList();
        bytes.ForEach(Add);
        bytes.ForEach(b => Add(b + ClipTokenizer.EndOfWord));
        merges.ForEach(m => Add(m.Item1 + m.Item2));
        Add(ClipTokenizer.StartOfText);
        Add(ClipTokenizer.EndOfText);
        Vocabulary = vocab;
    }

    public IReadOnlyDictionary<string, int> Vocabulary { get; }

    public IReadOnlyList<(string, string)> Merges { get; }

    static List<string> Initial(string word)
    {
        var symbols = word.Select(ch => ch.ToString()).ToList();
        symbols[^1] += ClipTokenizer.EndOfWord;
        return symbols;
    }

    static void Merge(List<string> symbols, (string First, string Second) pair)
    {
        for (int i = 0; i < symbols.Count - 1; i++)
            if (symbols[i] == pair.First && symbols[i + 1] == pair.Second)
            {
                symbols[i] = pair.First + pair.Second;
                symbols.RemoveAt(i + 1);
            }
    }

    /// <summary>Writes vocab.json, merges.txt, special_tokens_map.json and tokenizer_config.json as transformers saves a CLIPTokenizer.</summary>
    public void Write(string folder, string padToken)
    {
        Directory.CreateDirectory(folder);
        var json = new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        File.WriteAllText(Path.Combine(folder, "vocab.json"), JsonSerializer.Serialize(Vocabulary, json));
        var merges = new StringBuilder("#version: 0.2\n");
        foreach (var (first, second) in Merges) merges.Append(first).Append(' ').Append(second).Append('\n');
        File.WriteAllText(Path.Combine(folder, "merges.txt"), merges.ToString());
        static object Token(string content) => new Dictionary<string, object>
        {
            ["content"] = content, ["lstrip"] = false, ["normalized"] = true, ["rstrip"] = false, ["single_word"] = false,
        };
        File.WriteAllText(Path.Combine(folder, "special_tokens_map.json"), JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["bos_token"] = Token(ClipTokenizer.StartOfText), ["eos_token"] = Token(ClipTokenizer.EndOfText),
            ["pad_token"] = padToken, ["unk_token"] = Token(ClipTokenizer.EndOfText),
        }, json));
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["add_prefix_space"] = false, ["bos_token"] = ClipTokenizer.StartOfText, ["clean_up_tokenization_spaces"] = true,
            ["do_lower_case"] = true, ["eos_token"] = ClipTokenizer.EndOfText, ["errors"] = "replace", ["model_max_length"] = ClipTextConfig.MaxPositions,
            ["pad_token"] = padToken, ["tokenizer_class"] = "CLIPTokenizer", ["unk_token"] = ClipTokenizer.EndOfText,
        }, json));
    }
}
