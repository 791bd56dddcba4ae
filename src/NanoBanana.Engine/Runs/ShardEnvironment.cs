using System.Globalization;

namespace NanoBanana.Runs;

/// <summary>
/// The shard a worker was started for, read from its scheduler's environment, first match wins:
/// <list type="number">
/// <item>ours: <c>NANOBANANA_SHARD_INDEX</c> and <c>NANOBANANA_SHARD_COUNT</c>;</item>
/// <item>a Kubernetes Indexed Job: <c>JOB_COMPLETION_INDEX</c>, with the Job's completions passed in as
/// <c>NANOBANANA_SHARD_COUNT</c> (Kubernetes does not expose the count to the pod);</item>
/// <item>a Slurm job array (22.05+): <c>SLURM_ARRAY_TASK_ID</c>, <c>SLURM_ARRAY_TASK_COUNT</c>, <c>_MIN</c>, <c>_MAX</c> and
/// <c>_STEP</c>; the index is the task's position in the array (<c>--array=1-8</c> gives 0..7), so the array must be
/// an evenly stepped range (a list like <c>1,5,9</c> is refused: its positions are not in the environment);</item>
/// <item>none of these: the whole catalogue (<see cref="Shard.All"/>).</item>
/// </list>
/// </summary>
public static class ShardEnvironment
{
    public const string IndexVariable = "NANOBANANA_SHARD_INDEX";
    public const string CountVariable = "NANOBANANA_SHARD_COUNT";
    public const string KubernetesIndexVariable = "JOB_COMPLETION_INDEX";

    /// <param name="variable">Reads one environment variable (null when unset); <see cref="Environment.GetEnvironmentVariable(string)"/> by default.</param>
    /// <exception cref="ShardException">The variables are present but unusable (not numbers, out of range, a count missing).</exception>
    public static Shard Resolve(Func<string, string?>? variable = null)
    {
        variable ??= Environment.GetEnvironmentVariable;
        string? Get(string name) => string.IsNullOrWhiteSpace(variable(name)) ? null : variable(name)!.Trim();

        if (Get(IndexVariable) is { } ours)
        {
            const string source = $"{IndexVariable}/{CountVariable}";
            return new Shard(Number(source, IndexVariable, ours), Number(source, CountVariable, Get(CountVariable)), source);
        }
        if (Get(KubernetesIndexVariable) is { } completion)
        {
            const string source = $"{KubernetesIndexVariable} (Kubernetes Indexed Job)";
            if (Get(CountVariable) is not { } count)
                throw new ShardException(source, $"{CountVariable} is not set; pass the Job's completions to the pod as {CountVariable} (env: - name: {CountVariable}, value: \"<completions>\").");
            return new Shard(Number(source, KubernetesIndexVariable, completion), Number(source, CountVariable, count), source);
        }
        if (Get("SLURM_ARRAY_TASK_ID") is { } task)
        {
            const string source = "SLURM_ARRAY_TASK_ID (Slurm job array)";
            int id = Number(source, "SLURM_ARRAY_TASK_ID", task);
            int taskCount = Number(source, "SLURM_ARRAY_TASK_COUNT", Get("SLURM_ARRAY_TASK_COUNT"));
            int min = Number(source, "SLURM_ARRAY_TASK_MIN", Get("SLURM_ARRAY_TASK_MIN"));
            int max = Number(source, "SLURM_ARRAY_TASK_MAX", Get("SLURM_ARRAY_TASK_MAX"));
            int step = Get("SLURM_ARRAY_TASK_STEP") is { } s ? Number(source, "SLURM_ARRAY_TASK_STEP", s) : 1;
            if (step < 1 || (max - min) % step != 0 || (max - min) / step + 1 != taskCount || (id - min) % step != 0)
                throw new ShardException(source, $"the array {min}-{max} (step {step}) has {taskCount} task(s), which is not an evenly stepped range; submit --array={min}-{min + taskCount - 1} or set {IndexVariable} and {CountVariable} in the job script.");
            return new Shard((id - min) / step, taskCount, source);
        }
        return Shard.All;
    }

    static int Number(string source, string name, string? text) =>
        text is null
            ? throw new ShardException(source, $"{name} is not set; set it to a whole number.")
            : int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value)
                ? value
                : throw new ShardException(source, $"{name} is '{text}'; it must be a whole number.");
}
