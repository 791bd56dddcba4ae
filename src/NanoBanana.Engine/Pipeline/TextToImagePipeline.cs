using System.Text.Json;
using System.Diagnostics;
using System.Globalization;
using NanoBanana.Imaging;
using NanoBanana.Lora;
using NanoBanana.Models;
using NanoBanana.Runtime;
using NanoBanana.Schedulers;
using NanoBanana.Text;
using NanoBanana.Unet;

namespace NanoBanana.Pipeline;

/// <summary>
/// Text → image on one model: text conditioning, the denoising loop with classifier-free guidance, VAE
/// decode. Schedulers stay outside (diffusers style): the loop only calls ScaleModelInput/Step. Holds the
/// model's sessions, so rendering many requests loads each ONNX file once.
/// </summary>
public sealed class TextToImagePipeline : IDisposable
{
    readonly TextEncoding _text;
    readonly VaeDecoding _vae;

    /// <param name="unet">How the UNet is held; the whole UNet in one session when null.</param>
    public TextToImagePipeline(ModelSessions sessions, IUnetRunner? unet = null)
    {
        Sessions = sessions ?? throw new ArgumentNullException(nameof(sessions));
        Unet = unet ?? SegmentedUnetRunner.Whole(sessions);
        _text = new TextEncoding(sessions);
        _vae = new VaeDecoding(sessions);
    }

    public ModelSessions Sessions { get; }

    public DiffusionModel Model => Sessions.Model;

    public IUnetRunner Unet { get; }

    /// <summary>Latent channels from the UNet's declared sample shape (4 for SD/SDXL).</summary>
    public int LatentChannels => Model[DiffusionModel.Unet].Input("sample").Dimensions is [_, > 0 and var c, ..] ? c : 4;

    /// <summary>An LCM UNet's timestep_cond width (diffusers' time_cond_proj_dim), from its declared shape.</summary>
    int TimestepCondWidth => Model[DiffusionModel.Unet].Input("timestep_cond").Dimensions is [_, > 0 and var d] ? d
        : throw new ModelInvalidException(Model[DiffusionModel.Unet].Path, "declares timestep_cond without a fixed width (time_cond_proj_dim)",
            "Re-export the LCM with `optimum-cli export onnx`, which fixes the width.");

    /// <summary>Renders on the base UNet, keeping every session loaded.</summary>
    public RgbaImage Render(TextToImageRequest request, IProgress<DenoiseProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Render(request, null, LoraSelection.None, progress, cancellationToken);

    /// <param name="policy">What to release after use and how to decode (<see cref="MemoryPolicy"/>); null keeps
    /// everything loaded and decodes in one pass unless the request asks for tiles.</param>
    /// <param name="loras">The render's LoRAs, resolved once by the caller; their weights are recorded in the image.</param>
    public RgbaImage Render(TextToImageRequest request, MemoryPolicy? policy, LoraSelection loras, IProgress<DenoiseProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(loras);
        bool release = policy?.ReleasesAfterUse ?? false;
        request.Validate();
        long seed = request.Seed ?? TorchRandom.NewRandomSeed();
        var scheduler = CreateScheduler(Model.SchedulerConfig, request.Scheduler, request.Steps);
        var (prompt, negative) = request.Style.Apply(request.Prompt, request.NegativePrompt);

        var warnings = new List<string>();
        var (cond, uncond) = _text.EncodePair(prompt, negative, cancellationToken, request.PromptOverflow, warnings);
        // Each region's own words with the style's, in as many windows as the negative prompt (which guides every
        // region from the whole latent's unconditional pass).
        var regions = request.Regions.Select(region =>
        {
            var (regionPrompt, _) = request.Style.Apply(region.Prompt, request.NegativePrompt);
            var (regionCond, _) = _text.EncodePair(regionPrompt, negative, cancellationToken, request.PromptOverflow, warnings);
            return (region, regionCond);
        }).ToArray();
        if (release) ReleaseTextEncoders();
        // An LCM embeds the guidance scale (timestep_cond) and runs one pass per step.
        float[]? timestepCond = Model.Recognition.Variant == ModelVariant.LatentConsistency ? GuidanceEmbedding.Create(request.CfgScale, TimestepCondWidth) : null;
        int channels = LatentChannels, lh = request.Height / 8, lw = request.Width / 8;

        var random = new TorchRandom(seed);
        var latents = LatentNoise.Create(random, 1, channels, lh, lw);
        float init = scheduler.InitNoiseSigma;
        for (int i = 0; i < latents.Length; i++) latents[i] *= init;

        float[]? timeIds = Model.Architecture == DiffusionArchitecture.StableDiffusionXL
            ? [request.Height, request.Width, 0, 0, request.Height, request.Width]
            : null;
        var noise = NoisePrediction.Create(Model.Architecture, cond, uncond, timeIds, channels, lh, lw, request.CfgScale, request.GuidanceBatching, regions, timestepCond);
        var clock = Stopwatch.StartNew();
        for (int step = 0; step < scheduler.StepCount; step++)
        {
            var modelInput = scheduler.ScaleModelInput(latents, step);
            var prediction = noise.Predict(Unet, loras, modelInput, scheduler.Timesteps[step], cancellationToken);
            latents = scheduler.Step(prediction, step, latents, random);
            if (Limits.FiniteValues.FirstNonFinite(latents) is >= 0 and var bad)
                throw new NonFiniteLatentsException(step + 1, scheduler.StepCount, latents[bad]);
            var elapsed = clock.Elapsed;
            progress?.Report(new DenoiseProgress(step + 1, scheduler.StepCount, elapsed,
                elapsed / (step + 1) * (scheduler.StepCount - step - 1)));
        }

        var tiling = request.VaeTiling ?? (policy?.DefaultVaeTilePixels is int tilePixels ? new VaeTiling(tilePixels / 8) : null);
        var parameters = new GenerationParameters
        {
            Prompt = prompt, NegativePrompt = negative, Steps = request.Steps, Sampler = scheduler.DisplayName,
            CfgScale = request.CfgScale, Seed = seed, Width = request.Width, Height = request.Height, Model = Model.Name,
        };
        if (request.Style != StylePreset.None) parameters.SetExtra("Style", request.Style.ToString());
        if (request.CfgScale > 1 && request.GuidanceBatching == GuidanceBatching.Combined) parameters.SetExtra("Guidance batching", "Combined");
        if (request.PromptOverflow != PromptOverflow.Chunk) parameters.SetExtra("Prompt overflow", request.PromptOverflow.ToString());
        if (request.Regions.Count > 0) parameters.SetExtra("Regions", JsonSerializer.Serialize(request.Regions));
        foreach (var (name, weight) in loras.Weights) parameters.LoraWeights[name] = weight;
        if (tiling is not null)
            parameters.SetExtra("VAE tiling", string.Create(CultureInfo.InvariantCulture, $"{tiling.TileSize}/{tiling.Overlap}"));
        if (request.Layout is { } layout) parameters.SetExtra("Layout", layout.Kind.ToString());
        var image = _vae.Decode(latents, channels, lh, lw, tiling, parameters, cancellationToken);
        if (release) Sessions.Release(DiffusionModel.VaeDecoder);
        if (request.Layout is { } sheet) image = BackgroundCleaning.Apply(image, sheet, request.Background);
        return image.WithWarnings(warnings);
    }

    /// <summary>The scheduler the pipeline uses: the named sampler, or the model config's own class when null.</summary>
    public static IDiffusionScheduler CreateScheduler(SchedulerConfig config, string? name, int steps) =>
        name is null ? SchedulerFactory.Create(config, steps) : SchedulerFactory.Create(name, config, steps);

    void ReleaseTextEncoders()
    {
        foreach (string encoder in new[] { DiffusionModel.TextEncoder, DiffusionModel.TextEncoder2 })
            if (Model.Components.ContainsKey(encoder)) Sessions.Release(encoder);
    }

    public void Dispose() => Sessions.Dispose();
}
