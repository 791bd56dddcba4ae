namespace NanoBanana.Runs;

/// <summary>
/// Chooses one shard's rows from a whole catalogue. The key of a row is its product name — the <c>Name</c> column, or
/// <c>Product</c> or <c>SKU</c> (the same parameter's aliases) — trimmed and compared exactly (ordinal). Every worker
/// reads the whole catalogue and checks it the same way before rendering, so a missing or duplicated key stops every
/// worker rather than leaving a row to whichever shard it happens to fall in.
/// </summary>
public static class CatalogueShard
{
    /// <summary>The rows of <paramref name="shard"/>, in input order.</summary>
    /// <param name="keys">Each row's key cell (null or blank: missing), in input order.</param>
    /// <returns>The 0-based positions of the shard's rows.</returns>
    /// <exception cref="CatalogueKeyException">A key is missing, or two rows share one (both rows named).</exception>
    public static IReadOnlyList<int> Select(IReadOnlyList<string?> keys, Shard shard)
    {
        CheckKeys(keys);
        var selected = new List<int>();
        for (int i = 0; i < keys.Count; i++)
            if (shard.Contains(keys[i]!)) selected.Add(i);
        return selected;
    }

    /// <summary>Checks every row has a key and no two share one; lists every problem found, rows numbered from 1.</summary>
    /// <exception cref="CatalogueKeyException">With one line per missing key and per duplicate pair.</exception>
    public static void CheckKeys(IReadOnlyList<string?> keys)
    {
        var problems = new List<string>();
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < keys.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(keys[i]))
            {
                problems.Add($"row {i + 1} has no key: fill its Name (or Product/SKU) column; shards and the run record identify rows by it.");
                continue;
            }
            string key = keys[i]!.Trim();
            if (first.TryGetValue(key, out int earlier))
                problems.Add($"rows {earlier + 1} and {i + 1} both have the key '{key}': give every row its own Name (or Product/SKU).");
            else
                first[key] = i;
        }
        if (problems.Count > 0)
            throw new CatalogueKeyException($"The catalogue cannot be sharded or recorded ({problems.Count} problem(s)):{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", problems));
    }
}
