using System.Management.Automation;
using NanoBanana.Runs;

namespace NanoBanana.PowerShell.Infrastructure;

/// <summary>
/// The key of a piped catalogue row: its <c>Name</c> cell, else <c>Product</c>, else <c>SKU</c> — the columns
/// New-ExplodedView binds to -Name, whose value is the key its run record uses.
/// </summary>
internal static class CatalogueKeys
{
    public static readonly string[] Columns = ["Name", "Product", "SKU"];

    /// <summary>Each row's key cell (null when empty), in order.</summary>
    /// <exception cref="CatalogueKeyException">No row has any of the key columns.</exception>
    public static IReadOnlyList<string?> Of(IReadOnlyList<PSObject> rows)
    {
        if (rows.Count > 0 && !rows.Any(r => Columns.Any(c => r.Properties[c] is not null)))
            throw new CatalogueKeyException($"The catalogue has no key column: add a Name (or Product or SKU) column with a unique value per row; shards and the run record identify rows by it. Its columns are: {string.Join(", ", rows[0].Properties.Select(p => p.Name))}.");
        return rows.Select(row => Columns.Select(c => row.Properties[c]?.Value?.ToString()).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))).ToList();
    }
}
