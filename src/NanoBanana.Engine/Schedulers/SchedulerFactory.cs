using NanoBanana.Models;

namespace NanoBanana.Schedulers;

/// <summary>
/// Builds a scheduler from the name a user types (or an A1111 sampler name read from metadata), applied
/// on top of the model's <c>scheduler_config.json</c> — the diffusers idiom
/// <c>DPMSolverMultistepScheduler.from_config(pipe.scheduler.config, use_karras_sigmas=True)</c>.
/// </summary>
public static class SchedulerFactory
{
    /// <summary>The names <see cref="Create(string, SchedulerConfig, int)"/> accepts as user input.</summary>
    public static IReadOnlyList<string> Names { get; } = ["Euler", "EulerAncestral", "DDIM", "DpmPlusPlus2M", "DpmPlusPlus2MKarras", "Lcm"];

    static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Euler"] = "Euler",
        ["EulerDiscrete"] = "Euler",
        ["EulerDiscreteScheduler"] = "EulerDiscreteScheduler",
        ["EulerAncestral"] = "EulerAncestral",
        ["Euler a"] = "EulerAncestral",
        ["EulerAncestralDiscreteScheduler"] = "EulerAncestral",
        ["DDIM"] = "DDIM",
        ["DDIMScheduler"] = "DDIM",
        ["DpmPlusPlus2M"] = "DpmPlusPlus2M",
        ["DPM++ 2M"] = "DpmPlusPlus2M",
        ["DPMSolverMultistepScheduler"] = "DPMSolverMultistepScheduler",
        ["DpmPlusPlus2MKarras"] = "DpmPlusPlus2MKarras",
        ["DPM++ 2M Karras"] = "DpmPlusPlus2MKarras",
        ["Lcm"] = "Lcm",
        ["LCMScheduler"] = "Lcm",
    };

    /// <summary>Whether <see cref="Create(string, SchedulerConfig, int)"/> accepts <paramref name="name"/>.</summary>
    public static bool IsKnown(string name) => Aliases.ContainsKey(name?.Trim() ?? "");

    /// <summary>Creates the scheduler the model's own config names (<c>_class_name</c>).</summary>
    public static IDiffusionScheduler Create(SchedulerConfig config, int steps)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.ClassName is null)
            throw new NotSupportedException("scheduler_config.json has no _class_name; pass a sampler name (" + string.Join(", ", Names) + ").");
        return Create(config.ClassName, config, steps);
    }

    /// <summary>Creates the named sampler: one of <see cref="Names"/>, an A1111 display name ("Euler a",
    /// "DPM++ 2M Karras", …) or a diffusers class name, case-insensitively.</summary>
    public static IDiffusionScheduler Create(string name, SchedulerConfig config, int steps)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!Aliases.TryGetValue(name?.Trim() ?? "", out var canonical))
            throw new NotSupportedException($"Unknown sampler '{name}'. Use one of: {string.Join(", ", Names)} (or the A1111 names Euler, Euler a, DDIM, DPM++ 2M, DPM++ 2M Karras, LCM).");
        // A sampler the user names is exactly that sampler; a diffusers class name (from the model's
        // config) keeps the config's own σ spacing, e.g. a DPMSolverMultistep config with Karras sigmas.
        return canonical switch
        {
            "EulerDiscreteScheduler" => new EulerDiscreteScheduler(config, steps),
            "DPMSolverMultistepScheduler" => new DpmSolverMultistepScheduler(config, steps),
            "Euler" => new EulerDiscreteScheduler(config with { UseKarrasSigmas = false }, steps),
            "EulerAncestral" => new EulerAncestralDiscreteScheduler(config, steps),
            "DDIM" => new DdimScheduler(config, steps),
            "DpmPlusPlus2M" => new DpmSolverMultistepScheduler(config with { UseKarrasSigmas = false }, steps),
            "DpmPlusPlus2MKarras" => new DpmSolverMultistepScheduler(config with { UseKarrasSigmas = true }, steps),
            _ => new LcmScheduler(config, steps),
        };
    }
}
