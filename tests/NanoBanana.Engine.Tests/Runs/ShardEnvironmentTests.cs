using NanoBanana.Runs;

namespace NanoBanana.Engine.Tests.Runs;

public sealed class ShardEnvironmentTests
{
    static Shard Resolve(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return ShardEnvironment.Resolve(name => map.GetValueOrDefault(name));
    }

    [Fact]
    public void Without_scheduler_variables_a_worker_takes_the_whole_catalogue() =>
        Assert.Equal((0, 1), (Resolve().Index, Resolve().Count));

    [Fact]
    public void A_slurm_array_task_is_its_position_in_the_array()
    {
        // What Slurm 22.05 sets for task 7 of --array=5-8 (measured on the one-node cluster: see shared notes).
        var shard = Resolve(("SLURM_ARRAY_TASK_ID", "7"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_TASK_MIN", "5"), ("SLURM_ARRAY_TASK_MAX", "8"), ("SLURM_ARRAY_TASK_STEP", "1"));
        Assert.Equal((2, 4), (shard.Index, shard.Count));
        var stepped = Resolve(("SLURM_ARRAY_TASK_ID", "4"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_TASK_MIN", "0"), ("SLURM_ARRAY_TASK_MAX", "6"), ("SLURM_ARRAY_TASK_STEP", "2"));
        Assert.Equal((2, 4), (stepped.Index, stepped.Count));
    }

    [Fact]
    public void A_slurm_list_array_is_refused_with_the_fix()
    {
        var e = Assert.Throws<ShardException>(() => Resolve(("SLURM_ARRAY_TASK_ID", "5"), ("SLURM_ARRAY_TASK_COUNT", "3"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_MAX", "9")));
        Assert.Contains("not an evenly stepped range; submit --array=1-3 or set NANOBANANA_SHARD_INDEX", e.Message);
    }

    [Fact]
    public void A_kubernetes_indexed_job_needs_its_completions_passed_in()
    {
        Assert.Equal((3, 5), (Resolve(("JOB_COMPLETION_INDEX", "3"), ("NANOBANANA_SHARD_COUNT", "5")).Index, 5));
        var e = Assert.Throws<ShardException>(() => Resolve(("JOB_COMPLETION_INDEX", "3")));
        Assert.Contains("NANOBANANA_SHARD_COUNT is not set; pass the Job's completions to the pod", e.Message);
    }

    [Fact]
    public void Our_variables_win_over_a_scheduler_and_are_checked()
    {
        var shard = Resolve(("NANOBANANA_SHARD_INDEX", "1"), ("NANOBANANA_SHARD_COUNT", "2"), ("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_COUNT", "8"));
        Assert.Equal((1, 2), (shard.Index, shard.Count));
        Assert.Equal("Shard from NANOBANANA_SHARD_INDEX/NANOBANANA_SHARD_COUNT: NANOBANANA_SHARD_COUNT is 'two'; it must be a whole number.",
            Assert.Throws<ShardException>(() => Resolve(("NANOBANANA_SHARD_INDEX", "1"), ("NANOBANANA_SHARD_COUNT", "two"))).Message);
        Assert.Contains("the shard index is 2 but the count is 2",
            Assert.Throws<ShardException>(() => Resolve(("NANOBANANA_SHARD_INDEX", "2"), ("NANOBANANA_SHARD_COUNT", "2"))).Message);
        Assert.Contains("the shard count is 0",
            Assert.Throws<ShardException>(() => Resolve(("JOB_COMPLETION_INDEX", "0"), ("NANOBANANA_SHARD_COUNT", "0"))).Message);
    }
}
