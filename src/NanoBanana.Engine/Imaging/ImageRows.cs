namespace NanoBanana.Imaging;

/// <summary>
/// The one parallel row iterator the pixel loops share: rows (or bands of rows) are independent units of work, so each
/// call spreads them over every core. Work that needs scratch space per thread gets it once per thread, not per row.
/// </summary>
public static class ImageRows
{
    static readonly ParallelOptions Options = new() { MaxDegreeOfParallelism = Environment.ProcessorCount };

    /// <summary>Runs <paramref name="row"/> for every y in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public static void ForEach(int from, int to, Action<int> row) => Parallel.For(from, to, Options, row);

    /// <summary>As <see cref="ForEach(int, int, Action{int})"/>, with per-thread scratch made by <paramref name="scratch"/>.</summary>
    public static void ForEach<TScratch>(int from, int to, Func<TScratch> scratch, Action<int, TScratch> row) =>
        Parallel.For(from, to, Options, scratch, (y, _, local) =>
        {
            row(y, local);
            return local;
        }, _ => { });
}
