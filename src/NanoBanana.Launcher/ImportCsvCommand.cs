using System.Globalization;
using System.Management.Automation;
using CsvHelper;

namespace NanoBanana.Launcher;

/// <summary>
/// Import-Csv for the SDK-hosted engine, which ships without Microsoft.PowerShell.Utility. Like the
/// built-in cmdlet it emits one [pscustomobject] per row with string properties named by the header,
/// so scripts behave the same here and in pwsh (where the built-in Import-Csv is used).
/// </summary>
[Cmdlet(VerbsData.Import, "Csv")]
[OutputType(typeof(PSObject))]
public sealed class ImportCsvCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [Alias("LiteralPath")]
    public string[] Path { get; set; } = Array.Empty<string>();

    [Parameter]
    public char Delimiter { get; set; } = ',';

    protected override void ProcessRecord()
    {
        foreach (var path in Path)
        {
            string file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            var options = new CsvReaderOptions { Separator = Delimiter, FormatProvider = CultureInfo.InvariantCulture };
            using var csv = CsvReader.FromFile(file, options);
            var header = csv.Headers;
            while (csv.Read())
            {
                // Like Import-Csv: every column of the header, missing trailing fields as null.
                var row = new PSObject();
                for (int i = 0; i < header.Count; i++)
                    row.Properties.Add(new PSNoteProperty(header[i], i < csv.FieldCount ? csv.GetString(i) : null));
                WriteObject(row);
            }
        }
    }
}
