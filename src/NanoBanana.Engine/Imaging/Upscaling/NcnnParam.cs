namespace NanoBanana.Imaging.Upscaling;

/// <summary>
/// Parses ncnn's text <c>.param</c> format: magic 7767517, "layer_count blob_count", then one line per layer:
/// <c>Type Name n_inputs n_outputs inputs… outputs… key=value…</c>, where <c>-233KK=count,v…</c> is array parameter KK.
/// </summary>
public static class NcnnParam
{
    private const string Magic = "7767517";

    public static IReadOnlyList<NcnnLayer> Parse(string text, string sourceName)
    {
        var lines = text.Split('\n').Select(l => l.Trim()).ToArray();
        if (lines.Length < 2 || lines[0] != Magic)
            throw new NcnnFormatException($"'{sourceName}' is not an ncnn .param file: the first line must be the magic number {Magic}.");
        var counts = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (counts.Length != 2 || !int.TryParse(counts[0], out int layerCount) || !int.TryParse(counts[1], out int blobCount))
            throw new NcnnFormatException($"'{sourceName}' line 2 must be 'layer_count blob_count', found '{lines[1]}'.");

        if (layerCount < 0 || blobCount < 0)
            throw new NcnnFormatException($"'{sourceName}' line 2 declares {layerCount} layers and {blobCount} blobs; neither can be negative.");
        var layers = new List<NcnnLayer>(Math.Min(layerCount, lines.Length)); // the count is the file's claim: never allocate by it
        for (int i = 2; i < lines.Length; i++)
            if (lines[i].Length > 0) layers.Add(ParseLayer(lines[i], i + 1, sourceName));
        if (layers.Count != layerCount)
            throw new NcnnFormatException($"'{sourceName}' declares {layerCount} layers but has {layers.Count}.");
        var produced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var layer in layers)
        {
            if (layer.Inputs.FirstOrDefault(b => !produced.Contains(b)) is { } missing)
                throw new NcnnFormatException($"'{sourceName}': {layer.Describe} reads blob '{missing}', which no earlier layer produces.");
            produced.UnionWith(layer.Outputs);
        }
        int blobs = produced.Count;
        if (blobs != blobCount)
            throw new NcnnFormatException($"'{sourceName}' declares {blobCount} blobs but its layers produce {blobs}.");
        return layers;
    }

    private static NcnnLayer ParseLayer(string line, int lineNumber, string sourceName)
    {
        var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 4 || !int.TryParse(parts[2], out int inputs) || !int.TryParse(parts[3], out int outputs) || inputs < 0 || outputs < 0
            || parts.Length < 4 + inputs + outputs)
            throw new NcnnFormatException($"'{sourceName}' line {lineNumber} is not a layer line ('Type Name n_inputs n_outputs blobs… params…'): '{line}'.");

        var parameters = new Dictionary<int, string[]>();
        foreach (var pair in parts.Skip(4 + inputs + outputs))
        {
            int eq = pair.IndexOf('=');
            if (eq <= 0 || !int.TryParse(pair[..eq], out int key))
                throw new NcnnFormatException($"'{sourceName}' line {lineNumber} ('{parts[1]}'): '{pair}' is not a key=value parameter.");
            string value = pair[(eq + 1)..];
            // Keys of -23300 - k mark array parameter k: "count,v1,v2…".
            if (key <= -23300) parameters[-(key + 23300)] = value.Split(',');
            else parameters[key] = new[] { value };
        }
        return new NcnnLayer(lineNumber, parts[0], parts[1], parts[4..(4 + inputs)], parts[(4 + inputs)..(4 + inputs + outputs)], parameters);
    }
}
