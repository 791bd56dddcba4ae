namespace NanoBanana.Schedulers;

/// <summary>
/// diffusers' three ways to pick inference timesteps from the N training timesteps (Table 2 of
/// "Common Diffusion Noise Schedules and Sample Steps are Flawed", arXiv:2305.08891). Each returns
/// descending timesteps; callers round or cast exactly as their diffusers scheduler does.
/// </summary>
internal static class TimestepSpacing
{
    /// <summary>"leading": multiples of N // n counted from 0, plus <c>steps_offset</c>
    /// (SDXL base: 25 steps → 961, 921, …, 1).</summary>
    public static double[] Leading(int trainSteps, int count, int stepsOffset)
    {
        int ratio = trainSteps / count;
        var result = new double[count];
        for (int i = 0; i < count; i++) result[i] = (double)(count - 1 - i) * ratio + stepsOffset;
        return result;
    }

    /// <summary>"trailing": <c>round(np.arange(N, 0, -N/n)) - 1</c>, so the first step is always N − 1
    /// (pure noise) — what few-step models such as SDXL-Turbo need.</summary>
    public static double[] Trailing(int trainSteps, int count)
    {
        double step = -(double)trainSteps / count;
        // np.arange fills start + i·delta with delta re-derived from the first two elements. For a few counts
        // (61, 103, 121, 122 of 1000) rounding makes numpy's arange one element longer, ending at a bogus
        // timestep −1; diffusers inherits that, we keep the first `count`, which agree with diffusers.
        double first = trainSteps, delta = (first + step) - first;
        var result = new double[count];
        for (int i = 0; i < count; i++) result[i] = Math.Round(first + i * delta, MidpointRounding.ToEven) - 1;
        return result;
    }

    /// <summary>"linspace": <c>np.linspace(0, N−1, n)</c>, descending, unrounded.</summary>
    public static double[] Linspace(int trainSteps, int count)
    {
        var result = new double[count];
        for (int i = 0; i < count; i++) result[count - 1 - i] = NoiseSchedule.Linspace(0, trainSteps - 1, count, i);
        return result;
    }

    public static double[] For(string spacing, int trainSteps, int count, int stepsOffset)
    {
        if (count > trainSteps)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Steps is {count}, more than the model's {trainSteps} training timesteps; use at most {trainSteps}.");
        var timesteps = Spaced(spacing, trainSteps, count, stepsOffset);
        // A large steps_offset pushes "leading" timesteps past the schedule; refused here rather than as an index error
        // mid-render. One past the end is diffusers' own result at N steps with steps_offset 1 (Euler clamps it), kept.
        if (timesteps[0] > trainSteps)
            throw new InvalidDataException($"scheduler_config.json: steps_offset {stepsOffset} with {count} steps gives timestep {timesteps[0]}, past the last of {trainSteps}. Use the original model's steps_offset (SD: 1).");
        return timesteps;
    }

    static double[] Spaced(string spacing, int trainSteps, int count, int stepsOffset) => spacing switch
    {
        "leading" => Leading(trainSteps, count, stepsOffset),
        "trailing" => Trailing(trainSteps, count),
        "linspace" => Linspace(trainSteps, count),
        _ => throw new NotSupportedException($"timestep_spacing '{spacing}' is not supported; use leading, trailing or linspace."),
    };
}
