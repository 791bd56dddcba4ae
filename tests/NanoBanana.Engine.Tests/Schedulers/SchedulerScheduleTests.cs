using System.Runtime.InteropServices;
using System.Security.Cryptography;
using NanoBanana.Models;
using NanoBanana.Schedulers;

namespace NanoBanana.Engine.Tests.Schedulers;

/// <summary>Timesteps and sigmas against values computed by porting diffusers' set_timesteps to torch/numpy.</summary>
public class SchedulerScheduleTests
{
    // stabilityai/stable-diffusion-xl-base-1.0 scheduler/scheduler_config.json.
    const string SdxlBaseJson = """
        {
          "_class_name": "EulerDiscreteScheduler",
          "_diffusers_version": "0.19.0.dev0",
          "beta_end": 0.012,
          "beta_schedule": "scaled_linear",
          "beta_start": 0.00085,
          "clip_sample": false,
          "interpolation_type": "linear",
          "num_train_timesteps": 1000,
          "prediction_type": "epsilon",
          "sample_max_value": 1.0,
          "set_alpha_to_one": false,
          "skip_prk_steps": true,
          "steps_offset": 1,
          "timestep_spacing": "leading",
          "trained_betas": null,
          "use_karras_sigmas": false
        }
        """;

    // stabilityai/sdxl-turbo scheduler/scheduler_config.json.
    const string SdxlTurboJson = """
        {
          "_class_name": "EulerAncestralDiscreteScheduler",
          "_diffusers_version": "0.24.0.dev0",
          "beta_end": 0.012,
          "beta_schedule": "scaled_linear",
          "beta_start": 0.00085,
          "clip_sample": false,
          "interpolation_type": "linear",
          "num_train_timesteps": 1000,
          "prediction_type": "epsilon",
          "sample_max_value": 1.0,
          "set_alpha_to_one": false,
          "skip_prk_steps": true,
          "steps_offset": 1,
          "timestep_spacing": "trailing",
          "trained_betas": null,
          "use_karras_sigmas": false
        }
        """;

    static SchedulerConfig Config(string name) => name switch
    {
        "sdxl" => SchedulerConfig.Parse(SdxlBaseJson),
        "turbo" => SchedulerConfig.Parse(SdxlTurboJson),
        "linspace" => new SchedulerConfig { BetaStart = 0.00085, BetaEnd = 0.012, BetaSchedule = "scaled_linear", TimestepSpacing = "linspace" },
        _ => new SchedulerConfig(),
    };

    public static IEnumerable<object?[]> Schedules => DiffusersReference.Schedules;

    [Theory]
    [MemberData(nameof(Schedules))]
    public void MatchesDiffusers(string sampler, string config, int steps, float[] timesteps, float[]? sigmas, float initNoiseSigma)
    {
        IDiffusionScheduler scheduler = sampler == "EulerKarras"
            ? new EulerDiscreteScheduler(Config(config) with { UseKarrasSigmas = true }, steps)
            : SchedulerFactory.Create(sampler, Config(config), steps);

        Assert.Equal(steps, scheduler.StepCount);
        if (sampler == "EulerKarras")
        {
            // Fractional timesteps from log-σ interpolation. numpy's SIMD float32 log differs from libm's logf
            // by an ulp on 190 of the 1000 training sigmas, which moves these by up to a few 1e−5.
            for (int i = 0; i < steps; i++) Assert.Equal(timesteps[i], scheduler.Timesteps[i], 2e-4f);
        }
        else Assert.Equal(timesteps, scheduler.Timesteps);
        if (sigmas is not null)
        {
            Assert.Equal(sigmas.Length, scheduler.Sigmas.Count);
            for (int i = 0; i < sigmas.Length; i++)
                Assert.True(Math.Abs(sigmas[i] - scheduler.Sigmas[i]) <= 1e-6 * Math.Abs(sigmas[i]),
                    $"σ[{i}] = {scheduler.Sigmas[i]:R}, diffusers {sigmas[i]:R}");
        }
        Assert.Equal(initNoiseSigma, scheduler.InitNoiseSigma, 1e-6f * initNoiseSigma);
    }

    [Fact]
    public void TrailingSpacingKeepsTheRequestedStepCountWhereNumpyArangeOvershoots()
    {
        // np.arange(1000, 0, -1000/61) has 62 elements (the last rounds to timestep −1); diffusers' first 61 end 48, 32, 15.
        var scheduler = new EulerAncestralDiscreteScheduler(SchedulerConfig.Parse(SdxlTurboJson), 61);
        Assert.Equal(61, scheduler.StepCount);
        Assert.Equal([999f, 983f], scheduler.Timesteps.Take(2));
        Assert.Equal([48f, 32f, 15f], scheduler.Timesteps.TakeLast(3));
    }

    [Fact]
    public void AlphasCumprodIsBitIdenticalToTorch()
    {
        static string Hash(float[] values) => Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(values.AsSpan())));
        Assert.Equal(DiffusersReference.ScaledLinearAlphasCumprodSha256, Hash(new NoiseSchedule(1000, 0.00085, 0.012, "scaled_linear").AlphasCumprod));
        Assert.Equal(DiffusersReference.LinearAlphasCumprodSha256, Hash(new NoiseSchedule(1000, 0.0001, 0.02, "linear").AlphasCumprod));
    }

    [Fact]
    public void ConfigParsesTheSdxlFile()
    {
        var config = SchedulerConfig.Parse(SdxlBaseJson);
        Assert.Equal("EulerDiscreteScheduler", config.ClassName);
        Assert.Equal("leading", config.TimestepSpacing);
        Assert.Equal(1, config.StepsOffset);
        Assert.False(config.SetAlphaToOne);
        Assert.Empty(config.UnsupportedOptions);
        Assert.IsType<EulerDiscreteScheduler>(SchedulerFactory.Create(config, 30));
        Assert.IsType<EulerAncestralDiscreteScheduler>(SchedulerFactory.Create(SchedulerConfig.Parse(SdxlTurboJson), 1));
    }

    [Fact]
    public void UnsupportedOptionsAreRefusedNotIgnored()
    {
        var config = SchedulerConfig.Parse("""{"_class_name":"DDIMScheduler","rescale_betas_zero_snr":true,"thresholding":false}""");
        var error = Assert.Throws<NotSupportedException>(() => SchedulerFactory.Create(config, 10));
        Assert.Contains("rescale_betas_zero_snr", error.Message);
        Assert.Throws<NotSupportedException>(() => SchedulerFactory.Create("Heun", config, 10));
    }

    [Theory]
    [InlineData("Euler", "Euler")]
    [InlineData("euler a", "Euler a")]
    [InlineData("EulerAncestral", "Euler a")]
    [InlineData("DDIM", "DDIM")]
    [InlineData("DpmPlusPlus2M", "DPM++ 2M")]
    [InlineData("DPM++ 2M Karras", "DPM++ 2M Karras")]
    [InlineData("DpmPlusPlus2MKarras", "DPM++ 2M Karras")]
    [InlineData("Lcm", "LCM")]
    [InlineData("LCM", "LCM")]
    public void FactoryAcceptsUserAndA1111Names(string name, string displayName) =>
        Assert.Equal(displayName, SchedulerFactory.Create(name, SchedulerConfig.StableDiffusionXL, 8).DisplayName);
}
