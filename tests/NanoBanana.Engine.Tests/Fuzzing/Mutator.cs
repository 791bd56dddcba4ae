using System.Text;

namespace NanoBanana.Engine.Tests.Fuzzing;

/// <summary>
/// Seeded structure-blind mutations of a parser's input: bit flips, boundary bytes, deleted, duplicated and inserted
/// runs, truncation, and splices of the numbers hostile files use (2³¹−1, −1, 1e308, NaN). The same seed gives the
/// same inputs, so a finding reproduces from its seed and iteration.
/// </summary>
internal sealed class Mutator(int seed)
{
    static readonly byte[][] Tokens =
    [
        .. new[] { "2147483647", "-1", "0", "1e308", "NaN", "-2147483648", "9223372036854775807", "\"", "{", "}", "[", "]", ",", ":", "\n", "<", ">", "=", " " }
            .Select(Encoding.UTF8.GetBytes),
        [0x00], [0xFF], [0xC3, 0x28], [0x7F, 0xFF, 0xFF, 0xFF], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F],
    ];

    readonly Random _random = new(seed);

    public byte[] Mutate(byte[] input)
    {
        var data = new List<byte>(input);
        int edits = 1 + _random.Next(4);
        for (int i = 0; i < edits; i++) Edit(data);
        return data.ToArray();
    }

    void Edit(List<byte> data)
    {
        int at = data.Count == 0 ? 0 : _random.Next(data.Count);
        switch (_random.Next(7))
        {
            case 0 when data.Count > 0:
                data[at] ^= (byte)(1 << _random.Next(8));
                break;
            case 1 when data.Count > 0:
                data[at] = (byte)(_random.Next(2) == 0 ? _random.Next(256) : new byte[] { 0, 0x7F, 0x80, 0xFF }[_random.Next(4)]);
                break;
            case 2 when data.Count > 0:
                data.RemoveRange(at, Math.Min(data.Count - at, 1 + _random.Next(16)));
                break;
            case 3 when data.Count > 0:
                int length = Math.Min(data.Count - at, 1 + _random.Next(64));
                data.InsertRange(_random.Next(data.Count + 1), data.GetRange(at, length));
                break;
            case 4:
                data.InsertRange(at, Tokens[_random.Next(Tokens.Length)]);
                break;
            case 5 when data.Count > 0:
                data.RemoveRange(at, data.Count - at);
                break;
            default:
                var token = Tokens[_random.Next(Tokens.Length)];
                if (at + token.Length <= data.Count) for (int i = 0; i < token.Length; i++) data[at + i] = token[i];
                break;
        }
    }
}
