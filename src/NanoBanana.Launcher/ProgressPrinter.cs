using System.Management.Automation;

namespace NanoBanana.Launcher;

/// <summary>Prints progress records as plain lines on stderr (the SDK-hosted engine has no console host to draw bars).</summary>
internal static class ProgressPrinter
{
    private static readonly Dictionary<int, string> LastLine = new();

    public static void Print(ProgressRecord record)
    {
        if (record.RecordType == ProgressRecordType.Completed) return;
        string line = $"{record.Activity}: {record.StatusDescription}"
            + (record.PercentComplete >= 0 ? $" {record.PercentComplete}%" : "")
            + (record.SecondsRemaining > 0 ? $" ({record.SecondsRemaining}s left)" : "");
        // Activities report often; print only what changed.
        if (LastLine.TryGetValue(record.ActivityId, out var last) && last == line) return;
        LastLine[record.ActivityId] = line;
        Console.Error.WriteLine(line);
    }
}
