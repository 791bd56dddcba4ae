using NanoBanana.Runs;

namespace NanoBanana.Engine.Tests.Runs;

public sealed class ShardTests
{
    static readonly string[] Catalogue = Enumerable.Range(1, 257).Select(i => $"SKU-{i:D5} widget").ToArray();

    [Theory]
    [InlineData(1), InlineData(2), InlineData(3), InlineData(4), InlineData(5), InlineData(6), InlineData(7), InlineData(8)]
    public void N_workers_render_disjoint_rows_whose_union_is_the_catalogue_whatever_the_row_order(int count)
    {
        var shuffled = Catalogue.OrderBy(k => k.GetHashCode()).ToArray(); // another order, as another reader may see it
        var picked = Enumerable.Range(0, count).Select(i =>
        {
            var shard = new Shard(i, count);
            var inOrder = CatalogueShard.Select(Catalogue, shard).Select(p => Catalogue[p]).ToHashSet();
            var inOtherOrder = CatalogueShard.Select(shuffled, shard).Select(p => shuffled[p]).ToHashSet();
            Assert.Equal(inOrder, inOtherOrder);
            return inOrder;
        }).ToList();

        Assert.Equal(Catalogue.Length, picked.Sum(p => p.Count)); // disjoint ...
        Assert.Equal(Catalogue.ToHashSet(), picked.SelectMany(p => p).ToHashSet()); // ... and covering
        if (count > 1) Assert.All(picked, p => Assert.NotEmpty(p)); // 257 rows spread over every worker
    }

    [Fact]
    public void The_shard_of_a_key_is_sha256_based_and_the_same_in_every_process()
    {
        // Pinned with Python: int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], 'big') % n for n = 1..8.
        Assert.Equal([0, 1, 1, 1, 4, 1, 3, 1], Enumerable.Range(1, 8).Select(n => Shard.Of("AeroDrone X4", n)));
        Assert.Equal([0, 0, 2, 0, 2, 2, 3, 0], Enumerable.Range(1, 8).Select(n => Shard.Of("Brewline Grinder", n)));
        Assert.Equal(Shard.Of("AeroDrone X4", 8), Shard.Of("  AeroDrone X4 ", 8)); // keys are trimmed, like the cells
    }

    [Theory]
    [InlineData(4, 4, "the shard index is 4 but the count is 4; use an index from 0 to 3.")]
    [InlineData(-1, 4, "the shard index is -1 but the count is 4; use an index from 0 to 3.")]
    [InlineData(0, 0, "the shard count is 0; use 1 or more (the number of workers).")]
    public void An_index_outside_the_count_or_a_count_of_zero_is_refused(int index, int count, string problem)
    {
        var e = Assert.Throws<ShardException>(() => new Shard(index, count));
        Assert.Equal($"Shard from parameters: {problem}", e.Message);
    }

    [Fact]
    public void Missing_and_duplicated_keys_are_reported_together_naming_both_rows()
    {
        var e = Assert.Throws<CatalogueKeyException>(() => CatalogueShard.Select(["drone", " ", "lamp", "drone ", null, "lamp"], Shard.All));
        Assert.Equal(string.Join(Environment.NewLine,
            "The catalogue cannot be sharded or recorded (4 problem(s)):",
            "  row 2 has no key: fill its Name (or Product/SKU) column; shards and the run record identify rows by it.",
            "  rows 1 and 4 both have the key 'drone': give every row its own Name (or Product/SKU).",
            "  row 5 has no key: fill its Name (or Product/SKU) column; shards and the run record identify rows by it.",
            "  rows 3 and 6 both have the key 'lamp': give every row its own Name (or Product/SKU)."), e.Message);
    }
}
