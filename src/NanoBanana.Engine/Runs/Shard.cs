using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace NanoBanana.Runs;

/// <summary>
/// One worker's share of a catalogue: shard <see cref="Index"/> of <see cref="Count"/>. A row belongs to the shard its
/// key hashes to (SHA-256 of the trimmed key's UTF-8, first 8 bytes big-endian, modulo the count), so N workers given
/// indexes 0..N−1 render disjoint rows whose union is the catalogue, whatever order each reads the rows in, on any
/// machine and in any process (string.GetHashCode is randomised per process, hence SHA-256).
/// </summary>
public readonly record struct Shard
{
    /// <exception cref="ShardException">The count is below 1 or the index outside 0..count−1.</exception>
    public Shard(int index, int count, string source = "parameters")
    {
        if (count < 1)
            throw new ShardException(source, $"the shard count is {count}; use 1 or more (the number of workers).");
        if (index < 0 || index >= count)
            throw new ShardException(source, $"the shard index is {index} but the count is {count}; use an index from 0 to {count - 1}.");
        Index = index;
        Count = count;
        Source = source;
    }

    /// <summary>The whole catalogue: one worker.</summary>
    public static Shard All { get; } = new(0, 1, "default (one worker)");

    public int Index { get; }

    public int Count { get; }

    /// <summary>Where the index and count came from (parameters, a scheduler's variables), for messages.</summary>
    public string Source { get; }

    public bool Contains(string key) => Of(key, Count) == Index;

    /// <summary>The shard of <paramref name="key"/> among <paramref name="count"/>.</summary>
    public static int Of(string key, int count)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key.Trim()), hash);
        return (int)(BinaryPrimitives.ReadUInt64BigEndian(hash) % (ulong)count);
    }

    public override string ToString() => $"{Index}/{Count}";
}
