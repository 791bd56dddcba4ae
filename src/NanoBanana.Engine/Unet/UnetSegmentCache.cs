using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NanoBanana.Onnx;

namespace NanoBanana.Unet;

/// <summary>
/// Segment files for a UNet and a segment size, generated once into <c>&lt;cache&gt;/segments/&lt;key&gt;/</c>, where the
/// key hashes the UNet's model.onnx bytes, the size and write time of its external data and the segment size, so a
/// changed model gets new segments. Segment files hold the graph only: their initializers point at the original
/// <c>model.onnx_data</c> by offset. The folder appears complete or not at all (written aside, then moved).
/// </summary>
public static class UnetSegmentCache
{
    const string FormatVersion = "1";

    sealed record Entry(string File, string FirstModule, string LastModule, long WeightBytes);

    public static IReadOnlyList<UnetSegment> Load(string unetPath, long maxSegmentBytes, string cacheRoot)
    {
        string folder = Path.Combine(cacheRoot, "segments", Key(unetPath, maxSegmentBytes));
        string index = Path.Combine(folder, "segments.json");
        if (!File.Exists(index)) Write(unetPath, maxSegmentBytes, folder);
        var entries = JsonSerializer.Deserialize<Entry[]>(File.ReadAllText(index))!;
        return entries.Select((e, i) =>
        {
            string file = Path.Combine(folder, e.File);
            var graph = OnnxModelFile.Load(file).Graph;
            return new UnetSegment($"unet/segment-{i:D2}", i, e.FirstModule, e.LastModule, () => OnnxModelFile.Load(file), e.WeightBytes,
                graph.Input.Select(x => x.Name).ToArray(), graph.Output.Select(x => x.Name).ToArray());
        }).ToArray();
    }

    static void Write(string unetPath, long maxSegmentBytes, string folder)
    {
        var segments = UnetPartitioner.Partition(OnnxModel.Load(unetPath), maxSegmentBytes);
        string staging = folder + ".partial-" + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(staging);
        try
        {
            var entries = segments.Select(s =>
            {
                string file = $"segment-{s.Index:D2}.onnx";
                OnnxModelFile.Save(s.LoadGraph(), Path.Combine(staging, file));
                return new Entry(file, s.FirstModule, s.LastModule, s.WeightBytes);
            }).ToArray();
            File.WriteAllText(Path.Combine(staging, "segments.json"), JsonSerializer.Serialize(entries));
            try { Directory.Move(staging, folder); }
            catch (IOException) when (Directory.Exists(folder)) { Directory.Delete(staging, recursive: true); } // another process won the race
        }
        catch
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    static string Key(string unetPath, long maxSegmentBytes)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(File.ReadAllBytes(unetPath));
        string data = Path.Combine(Path.GetDirectoryName(unetPath)!, "model.onnx_data");
        string dataStamp = File.Exists(data) ? $"{new FileInfo(data).Length}:{File.GetLastWriteTimeUtc(data).Ticks}" : "-";
        hash.AppendData(Encoding.UTF8.GetBytes($"|{dataStamp}|{maxSegmentBytes}|{FormatVersion}"));
        return Convert.ToHexString(hash.GetHashAndReset())[..20].ToLowerInvariant();
    }
}
