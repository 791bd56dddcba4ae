using System.Globalization;
using System.Security;
using System.Text.RegularExpressions;

namespace NanoBanana.Engine.Tests.Layout;

/// <summary>Parts lists for the layout tests: generated ones (seeded, so every run sees the same) and the
/// example catalogue's rows.</summary>
static class Catalogues
{
    static readonly string[] Nouns = ["propeller", "folding arm", "flight battery", "gimbal camera", "burr", "hopper", "dosing cup", "lithium cell",
        "charge controller board", "shell", "screw", "gasket", "bracket", "spring", "knob", "lens", "fan", "heatsink", "cable", "switch"];
    static readonly string[] Materials = ["carbon fibre", "aluminium", "walnut", "glass", "brass", "ABS"];
    static readonly string[] Sizes = ["small", "medium", "large"];

    /// <summary>A product with <paramref name="parts"/> parts: mostly single copies, some 2–4, sizes mixed.</summary>
    public static string Generated(int parts, int seed)
    {
        var random = new Random(seed);
        var xml = new System.Text.StringBuilder("<product name=\"generated product\">");
        for (int i = 0; i < parts; i++)
        {
            string noun = Nouns[random.Next(Nouns.Length)] + " " + (i + 1).ToString(CultureInfo.InvariantCulture);
            int count = random.NextDouble() < 0.8 ? 1 : random.Next(2, 5);
            xml.Append($"<part name=\"{SecurityElement.Escape(noun)}\" material=\"{Materials[random.Next(Materials.Length)]}\"")
               .Append(count > 1 ? $" count=\"{count}\"" : "")
               .Append($" size=\"{Sizes[random.Next(Sizes.Length)]}\"/>");
        }
        return xml.Append("</product>").ToString();
    }

    /// <summary>(Name, Parts cell) of every row of examples/products.csv.</summary>
    public static IEnumerable<(string Name, string Parts)> ExampleRows()
    {
        string csv = File.ReadAllText(Path.Combine(RepositoryRoot(), "examples", "products.csv"));
        foreach (string line in csv.Split('\n').Skip(1).Where(l => l.Trim().Length > 0))
        {
            var cells = Regex.Matches(line.TrimEnd('\r'), "(?:^|,)(\"(?:[^\"]|\"\")*\"|[^,]*)").Select(m => m.Groups[1].Value).ToList();
            string Unquote(string cell) => cell.StartsWith('"') ? cell[1..^1].Replace("\"\"", "\"") : cell;
            yield return (Unquote(cells[0]), Unquote(cells[4]));
        }
    }

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "NanoBanana.PowerShell.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("The repository root (NanoBanana.PowerShell.sln) is not above the test folder.");
    }
}
