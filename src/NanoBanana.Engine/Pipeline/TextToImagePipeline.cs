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
/// Below strength 1 with a start image (the layout's guide or an init image) it is diffusers' image-to-image: the image
/// is VAE-encoded (<see cref="VaeEncoding"/>), noised to the strength's step with the scheduler's AddNoise and denoised
/// from there (<see cref="DenoisingStrength"/>). Strength 1 skips the encoder and starts from pure noise, so it is
/// text-to-image byte for byte — as diffusers' inpainting does at full strength; diffusers' img2img would still add the
/// encoded image to the noise at strength 1.
/// </summary>
public sealed class TextToImagePipeline : IDisposable
{
    readonly TextEncoding _text;
    readonly VaeDecoding _vae;
    readonly VaeEncoding _encoder;

    /// <param name="unet">How the UNet is held; the whole UNet in one session when null.</param>
    public TextToImagePipeline(ModelSessions sessions, IUnetRunner? unet = null)
    {
        Sessions = sessions ?? throw new ArgumentNullException(nameof(sessions));
        Unet = unet ?? SegmentedUnetRunner.Whole(sessions);
        _text = new TextEncoding(sessions);
        _vae = new VaeDecoding(sessions);
        _encoder = new VaeEncoding(sessions);
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
        var (latents, start) = StartLatents(request, scheduler, random, channels, lh, lw, release, cancellationToken);

        // Image-to-image too: diffusers' SDXL img2img sends these six unless requires_aesthetics_score (a refiner's config).
        float[]? timeIds = Model.Architecture == DiffusionArchitecture.StableDiffusionXL
            ? [request.Height, request.Width, 0, 0, request.Height, request.Width]
            : null;
        var noise = NoisePrediction.Create(Model.Architecture, cond, uncond, timeIds, channels, lh, lw, request.CfgScale, request.GuidanceBatching, regions, timestepCond);
        var clock = Stopwatch.StartNew();
        for (int step = start; step < scheduler.StepCount; step++)
        {
            var modelInput = scheduler.ScaleModelInput(latents, step);
            var prediction = noise.Predict(Unet, loras, modelInput, scheduler.Timesteps[step], cancellationToken);
            latents = scheduler.Step(prediction, step, latents, random);
            if (Limits.FiniteValues.FirstNonFinite(latents) is >= 0 and var bad)
                throw new NonFiniteLatentsException(step + 1, scheduler.StepCount, latents[bad]);
            var elapsed = clock.Elapsed;
            int done = step + 1 - start, total = scheduler.StepCount - start;
            progress?.Report(new DenoiseProgress(done, total, elapsed, elapsed / done * (total - done)));
        }

        var tiling = request.VaeTiling ?? (policy?.VaeTilePixels is int tilePixels ? new VaeTiling(tilePixels / 8) : null);
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
        if (request.StartImageSource is { } source)
        {
            // A1111's img2img key; the source by file name only (a full path would publish the render machine's folders).
            parameters.SetExtra("Denoising strength", request.Strength.ToString(CultureInfo.InvariantCulture));
            parameters.SetExtra("Init image", source == InitImage.LayoutSource ? source : System.IO.Path.GetFileName(source));
        }
        if (policy?.ReleasesBeforeDecode(tiling?.TileSize * 8) == true) Sessions.ReleaseAll();
        var image = _vae.Decode(latents, channels, lh, lw, tiling, parameters, cancellationToken);
        if (release) Sessions.Release(DiffusionModel.VaeDecoder);
        if (request.Layout is { } sheet) image = BackgroundCleaning.Apply(image, sheet, request.Background);
        return image.WithWarnings(warnings);
    }

    /// <summary>
    /// The latents the loop starts from and the step it starts at. From noise (text-to-image, or strength 1): randn ×
    /// init_noise_sigma at step 0. From a start image: its VAE sample (the generator's first draw), then noise (the second)
    /// added at the strength's step — diffusers' img2img prepare_latents. When the strength leaves no step to run, the
    /// encoded image is decoded as it is (the VAE round trip); diffusers fails on that empty schedule instead.
    /// </summary>
    (float[] Latents, int Start) StartLatents(TextToImageRequest request, IDiffusionScheduler scheduler, TorchRandom random,
        int channels, int lh, int lw, bool release, CancellationToken cancellationToken)
    {
        if (request.StartImageSource is null)
        {
            var noise = LatentNoise.Create(random, 1, channels, lh, lw);
            float init = scheduler.InitNoiseSigma;
            for (int i = 0; i < noise.Length; i++) noise[i] *= init;
            return (noise, 0);
        }
        var image = request.InitImage?.Image ?? LayoutGuide.Draw(request.Layout!, request.Background);
        int start = DenoisingStrength.StartStep(scheduler.StepCount, request.Strength);
        var latents = _encoder.Encode(image, random, cancellationToken);
        if (release) _encoder.Release();
        if (latents.Length != channels * lh * lw)
            throw new ModelInvalidException(Model.Folder, $"has a VAE encoder giving {latents.Length / (lh * lw)} latent channels but a UNet taking {channels}",
                "Use the vae_encoder exported with this model.");
        if (start == scheduler.StepCount) return (latents, start);
        return (scheduler.AddNoise(latents, LatentNoise.Create(random, 1, channels, lh, lw), start), start);
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
