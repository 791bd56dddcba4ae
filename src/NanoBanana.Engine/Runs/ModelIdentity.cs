using System.Security.Cryptography;
using System.Text;

namespace NanoBanana.Runs;

/// <summary>
/// A model folder's identity for the run record, from its files' names, lengths and write times — no weight is read,
/// so it costs a directory listing even for a 7 GB SDXL export, and a replaced or re-exported file changes it.
/// </summary>
public static class ModelIdentity
{
    public static string Of(string modelFolder)
    {
        string root = Path.GetFullPath(modelFolder);
        var text = new StringBuilder(root).Append('\n');
        foreach (var file in new DirectoryInfo(root).EnumerateFiles("*", SearchOption.AllDirectories)
                     .Select(f => (Relative: Path.GetRelativePath(root, f.FullName).Replace('\\', '/'), f.Length, f.LastWriteTimeUtc.Ticks))
                     .OrderBy(f => f.Relative, StringComparer.Ordinal))
            text.Append(file.Relative).Append('|').Append(file.Length).Append('|').Append(file.Ticks).Append('\n');
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))).ToLowerInvariant();
    }
}
