using System.Text.Json;

namespace NanoBanana.Models;

/// <summary>
/// The subset of diffusers' <c>scheduler/scheduler_config.json</c> that the supported schedulers read.
/// Keys absent from the file stay <c>null</c> and each scheduler substitutes its own diffusers default,
/// which is exactly what <c>OtherScheduler.from_config(pipe.scheduler.config)</c> does — so a model's
/// Euler config can drive DPM++ or DDIM the way diffusers users switch samplers.
/// </summary>
public sealed record SchedulerConfig
{
    /// <summary>The <c>_class_name</c>, e.g. "EulerDiscreteScheduler".</summary>
    public string? ClassName { get; init; }
    public int? NumTrainTimesteps { get; init; }
    public double? BetaStart { get; init; }
    public double? BetaEnd { get; init; }
    /// <summary>"linear" or "scaled_linear".</summary>
    public string? BetaSchedule { get; init; }
    /// <summary>"epsilon", "v_prediction" or "sample".</summary>
    public string? PredictionType { get; init; }
    /// <summary>"leading", "trailing" or "linspace".</summary>
    public string? TimestepSpacing { get; init; }
    public int? StepsOffset { get; init; }
    public bool? UseKarrasSigmas { get; init; }
    /// <summary>"zero" or "sigma_min": the noise level after the last step.</summary>
    public string? FinalSigmasType { get; init; }
    public string? InterpolationType { get; init; }
    public bool? ClipSample { get; init; }
    public double? ClipSampleRange { get; init; }
    public bool? SetAlphaToOne { get; init; }
    public int? SolverOrder { get; init; }
    public string? AlgorithmType { get; init; }
    public string? SolverType { get; init; }
    public bool? LowerOrderFinal { get; init; }
    public bool? EulerAtFinal { get; init; }
    public int? OriginalInferenceSteps { get; init; }
    public double? TimestepScaling { get; init; }

    /// <summary>Options that change the maths and that these schedulers do not implement. They are
    /// remembered so a scheduler can refuse the config instead of silently ignoring them.</summary>
    public IReadOnlyList<string> UnsupportedOptions { get; init; } = [];

    /// <summary>Reads <c>scheduler_config.json</c>.</summary>
    public static SchedulerConfig Load(string path)
    {
        string json = Limits.InputLimits.ReadText(path, Limits.InputLimits.MaxConfigJsonBytes, "Copy scheduler/scheduler_config.json from the original diffusers model.");
        try
        {
            return Parse(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message}", e);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}': {e.Message}", e);
        }
    }

    public static SchedulerConfig Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException("A scheduler config must be a JSON object.");

        string? Str(string key)
        {
            if (!root.TryGetProperty(key, out var v) || v.ValueKind != JsonValueKind.String) return null;
            try { return v.GetString(); }
            catch (InvalidOperationException) { throw new InvalidDataException($"\"{key}\" is not valid UTF-8 text."); }
        }
        // Integers may be written as 1000.0 by some exporters; values beyond int are refused, not wrapped.
        int? Int(string key) => root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number
            ? Math.Round(v.GetDouble()) is var n && n is >= int.MinValue and <= int.MaxValue ? (int)n
                : throw new InvalidDataException($"\"{key}\" is {v.GetRawText()}, not a whole number in range.")
            : null;
        double? Num(string key) => root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        bool? Bool(string key) => root.TryGetProperty(key, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

        var unsupported = new List<string>();
        foreach (var flag in new[] { "thresholding", "rescale_betas_zero_snr", "use_exponential_sigmas", "use_beta_sigmas", "use_lu_lambdas", "use_flow_sigmas" })
            if (Bool(flag) == true) unsupported.Add(flag);
        if (root.TryGetProperty("trained_betas", out var tb) && tb.ValueKind == JsonValueKind.Array) unsupported.Add("trained_betas");
        if (Str("timestep_type") is { } tt && tt != "discrete") unsupported.Add($"timestep_type={tt}");

        var config = new SchedulerConfig
        {
            ClassName = Str("_class_name"),
            NumTrainTimesteps = Int("num_train_timesteps"),
            BetaStart = Num("beta_start"),
            BetaEnd = Num("beta_end"),
            BetaSchedule = Str("beta_schedule"),
            PredictionType = Str("prediction_type"),
            TimestepSpacing = Str("timestep_spacing"),
            StepsOffset = Int("steps_offset"),
            UseKarrasSigmas = Bool("use_karras_sigmas"),
            FinalSigmasType = Str("final_sigmas_type"),
            InterpolationType = Str("interpolation_type"),
            ClipSample = Bool("clip_sample"),
            ClipSampleRange = Num("clip_sample_range"),
            SetAlphaToOne = Bool("set_alpha_to_one"),
            SolverOrder = Int("solver_order"),
            AlgorithmType = Str("algorithm_type"),
            SolverType = Str("solver_type"),
            LowerOrderFinal = Bool("lower_order_final"),
            EulerAtFinal = Bool("euler_at_final"),
            OriginalInferenceSteps = Int("original_inference_steps"),
            TimestepScaling = Num("timestep_scaling"),
            UnsupportedOptions = unsupported,
        };
        config.CheckRanges();
        return config;
    }

    /// <summary>Refuses values no scheduler can use (a huge num_train_timesteps would allocate gigabytes; a beta
    /// outside (0, 1) makes NaN sigmas and a black image), naming the key and its valid range.</summary>
    void CheckRanges()
    {
        static void Require(bool ok, string key, object? value, string range)
        {
            if (!ok) throw new InvalidDataException($"\"{key}\" is {value}; use {range}. Copy scheduler_config.json from the original diffusers model.");
        }
        int timesteps = NumTrainTimesteps ?? 1000;
        Require(timesteps >= 2 && timesteps <= Limits.InputLimits.MaxTrainTimesteps, "num_train_timesteps", NumTrainTimesteps, $"2 to {Limits.InputLimits.MaxTrainTimesteps} (every released model: 1000)");
        Require(BetaStart is null or (> 0 and < 1), "beta_start", BetaStart, "a number between 0 and 1 (0.00085 for SD)");
        Require(BetaEnd is null or (> 0 and < 1), "beta_end", BetaEnd, "a number between 0 and 1 (0.012 for SD)");
        Require(BetaStart is null || BetaEnd is null || BetaStart <= BetaEnd, "beta_start", BetaStart, $"a value no larger than beta_end ({BetaEnd})");
        Require(StepsOffset is null || (StepsOffset >= 0 && StepsOffset < timesteps), "steps_offset", StepsOffset, $"0 to {timesteps - 1} (SD: 1)");
        Require(ClipSampleRange is null or > 0, "clip_sample_range", ClipSampleRange, "a positive number (1.0)");
        Require(SolverOrder is null or (>= 1 and <= 3), "solver_order", SolverOrder, "1, 2 or 3");
        Require(OriginalInferenceSteps is null || (OriginalInferenceSteps >= 1 && OriginalInferenceSteps <= timesteps), "original_inference_steps", OriginalInferenceSteps, $"1 to {timesteps} (LCM: 50)");
        Require(TimestepScaling is null or (> 0 and <= 1e4), "timestep_scaling", TimestepScaling, "a positive number (LCM: 10)");
    }

    /// <summary>SDXL base 1.0's shipped config (EulerDiscreteScheduler, leading spacing, steps_offset 1).</summary>
    public static SchedulerConfig StableDiffusionXL { get; } = new()
    {
        ClassName = "EulerDiscreteScheduler",
        NumTrainTimesteps = 1000,
        BetaStart = 0.00085,
        BetaEnd = 0.012,
        BetaSchedule = "scaled_linear",
        PredictionType = "epsilon",
        TimestepSpacing = "leading",
        StepsOffset = 1,
        InterpolationType = "linear",
        UseKarrasSigmas = false,
        ClipSample = false,
        SetAlphaToOne = false,
    };

    internal void ThrowIfUnsupported(string scheduler)
    {
        if (UnsupportedOptions.Count > 0)
            throw new NotSupportedException(
                $"{scheduler}: scheduler_config.json enables {string.Join(", ", UnsupportedOptions)}, which NanoBanana does not implement. " +
                "Remove the option or pick a model whose scheduler config does not use it.");
    }
}
