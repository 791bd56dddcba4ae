using System.Diagnostics;
using System.Text.Json;
using NanoBanana.Models;
using NanoBanana.Onnx;
using NanoBanana.Text;

namespace NanoBanana.Synthetic;

/// <summary>
/// Builds a complete diffusers/Optimum ONNX export folder — model_index.json, scheduler, tokenizers, text
/// encoders, UNet (<c>model.onnx</c> + <c>model.onnx_data</c>), VAE decoder and encoder — whose layout, names,
/// dtypes and (at full size) parameter counts are those of a real SDXL or SD 1.5 export, with seeded random
/// weights. Weights are streamed to disk tensor by tensor, so the full model builds in a few GB of memory.
/// The folder appears only when complete: it is built beside the target and moved into place.
/// </summary>
public static class SyntheticModelBuilder
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static SyntheticModelReport Create(string folder, SyntheticModelOptions options, bool overwrite = false,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(options);
        folder = Path.GetFullPath(folder);
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any() && !overwrite)
            throw new IOException($"'{folder}' already exists and is not empty. Choose another folder or overwrite it (-Force).");
        string parent = Path.GetDirectoryName(folder) ?? throw new ArgumentException($"'{folder}' has no parent folder.", nameof(folder));
        Directory.CreateDirectory(parent);
        string staging = Path.Combine(parent, $".{Path.GetFileName(folder)}.partial-{Guid.NewGuid():N}");
        var clock = Stopwatch.StartNew();
        try
        {
            var (blocks, published) = Build(staging, options, progress, cancellationToken);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            Directory.Move(staging, folder);
            using var self = Process.GetCurrentProcess();
            self.Refresh();
            return new SyntheticModelReport(folder, options, blocks, published, clock.Elapsed, self.PeakWorkingSet64);
        }
        catch
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    /// <summary>The parameters per component and block that <see cref="Create"/> would write, without writing anything
    /// (seconds even for the full-size model).</summary>
    public static SyntheticModelReport CountParameters(SyntheticModelOptions options)
    {
        var clock = Stopwatch.StartNew();
        var (blocks, published) = Build(null, options, null, default);
        return new SyntheticModelReport("", options, blocks, published, clock.Elapsed, 0);
    }

    /// <param name="root">Where to write; null counts parameters only.</param>
    static (List<ParameterBlock>, Dictionary<string, long>) Build(string? root, SyntheticModelOptions o, IProgress<string>? progress, CancellationToken token)
    {
        bool write = root is not null;
        bool xl = o.Architecture == DiffusionArchitecture.StableDiffusionXL;
        var weights = new WeightGenerator(o.Seed);
        var blocks = new List<ParameterBlock>();
        var published = new Dictionary<string, long>();
        bool full = o.Size == SyntheticModelSize.Full;

        var vocabulary = new ClipVocabularyBuilder(maxMerges: 4000); // enough to make every corpus word one token
        int vocabularySize = vocabulary.Vocabulary.Count;
        var encoder1 = ClipTextConfig.First(o.Size, vocabularySize);
        var encoder2 = xl ? ClipTextConfig.Second(o.Size, vocabularySize) : null;
        // The refiner's UNet is conditioned by the second encoder alone.
        bool refiner = o.Variant == SyntheticModelVariant.Refiner;
        var unet = UnetConfig.For(o, (refiner ? 0 : encoder1.HiddenSize) + (encoder2?.HiddenSize ?? 0), encoder2?.ProjectionDim ?? 0);
        var vae = VaeConfig.For(o.Architecture, o.Size);

        if (write)
        {
            WriteJson(Path.Combine(root!, "model_index.json"), ModelIndex(xl, o.UnetOnly, o.Variant));
            WriteJson(Path.Combine(root!, "scheduler", "scheduler_config.json"), SchedulerConfigJson(o.Variant));
        }

        void Component(string name, bool externalData, Action<ModuleEmitter, GraphIo> emit, object config, long? publishedCount = null)
        {
            token.ThrowIfCancellationRequested();
            progress?.Report($"Writing {name}");
            string? dir = write ? Directory.CreateDirectory(Path.Combine(root!, name)).FullName : null;
            var graph = new OnnxGraphBuilder(name, producerName: "NanoBanana.Forge");
            using (var data = externalData && dir is not null ? new ExternalDataWriter(Path.Combine(dir, "model.onnx_data")) : null)
            {
                graph.ExternalData = data;
                var emitter = new ModuleEmitter(graph, weights, o.Precision, o.LinearStyle, name) { Cancellation = token, CountOnly = !write };
                emit(emitter, new GraphIo(graph, o.Precision, o.LegacyIo));
                graph.ExternalData = null;
                long bytesPerParameter = emitter.WeightType.SizeInBytes();
                blocks.AddRange(emitter.ParametersByBlock.Select(b => new ParameterBlock(name, b.Key, b.Value, b.Value * bytesPerParameter)));
            }
            if (dir is not null)
            {
                graph.Save(Path.Combine(dir, "model.onnx"));
                WriteJson(Path.Combine(dir, "config.json"), config);
            }
            if (publishedCount is long count) published[name] = count;
        }

        if (!o.UnetOnly)
        {
            if (!refiner)
            {
                if (write) vocabulary.Write(Path.Combine(root!, "tokenizer"), "<|endoftext|>");
                Component(DiffusionModel.TextEncoder, false, (e, io) => new ClipTextBuilder(e, encoder1).Build(io, exportHiddenStates: xl),
                    ClipConfigJson(encoder1), full ? ClipTextConfig.VitLParameters : null);
            }
            if (encoder2 is not null)
            {
                // SDXL's second tokenizer pads with "!" (id 0), the first with <|endoftext|>.
                if (write) vocabulary.Write(Path.Combine(root!, "tokenizer_2"), "!");
                Component(DiffusionModel.TextEncoder2, full, (e, io) => new ClipTextBuilder(e, encoder2).Build(io, exportHiddenStates: true),
                    ClipConfigJson(encoder2), full ? ClipTextConfig.BigGParameters : null);
            }
        }
        Component(DiffusionModel.Unet, true, (e, io) => new UnetBuilder(e, unet).Build(io), UnetConfigJson(unet),
            full ? (xl ? UnetConfig.SdxlParameters : UnetConfig.Sd15Parameters) : null);
        if (!o.UnetOnly)
        {
            Component(DiffusionModel.VaeDecoder, false, (e, io) => new VaeBuilder(e, vae).BuildDecoder(io), VaeConfigJson(vae));
            Component(VaeEncoder, false, (e, io) => new VaeBuilder(e, vae).BuildEncoder(io), VaeConfigJson(vae));
            if (full) published["vae"] = VaeConfig.PublishedParameters;
        }
        return (blocks, published);
    }

    public const string VaeEncoder = "vae_encoder";

    static void WriteJson(string path, object value)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, JsonSerializer.Serialize(value, Json));
    }

    static Dictionary<string, object> ModelIndex(bool xl, bool unetOnly, SyntheticModelVariant variant)
    {
        var index = new Dictionary<string, object>
        {
            ["_class_name"] = variant switch
            {
                SyntheticModelVariant.LatentConsistency => "LatentConsistencyModelPipeline",
                SyntheticModelVariant.Refiner => "StableDiffusionXLImg2ImgPipeline",
                _ => xl ? "StableDiffusionXLPipeline" : "StableDiffusionPipeline",
            },
            ["_diffusers_version"] = "0.30.0",
            ["scheduler"] = new[] { "diffusers", variant == SyntheticModelVariant.LatentConsistency ? "LCMScheduler" : "EulerDiscreteScheduler" },
            ["unet"] = new[] { "diffusers", "UNet2DConditionModel" },
        };
        if (unetOnly) return index;
        index["text_encoder"] = variant == SyntheticModelVariant.Refiner ? new string?[] { null, null } : new[] { "transformers", "CLIPTextModel" };
        index["tokenizer"] = variant == SyntheticModelVariant.Refiner ? new string?[] { null, null } : new[] { "transformers", "CLIPTokenizer" };
        index["vae"] = new[] { "diffusers", "AutoencoderKL" };
        if (xl)
        {
            index["force_zeros_for_empty_prompt"] = variant != SyntheticModelVariant.Refiner;
            if (variant == SyntheticModelVariant.Refiner) index["requires_aesthetics_score"] = true;
            index["text_encoder_2"] = new[] { "transformers", "CLIPTextModelWithProjection" };
            index["tokenizer_2"] = new[] { "transformers", "CLIPTokenizer" };
        }
        return index;
    }

    /// <summary>SDXL base's scheduler: Euler, scaled-linear betas, "leading" spacing with steps_offset 1; SD 2.x's
    /// predicts v, SDXL-Turbo's spaces timesteps "trailing", an LCM's is LCMScheduler (its published config).</summary>
    static Dictionary<string, object> SchedulerConfigJson(SyntheticModelVariant variant)
    {
        var config = new Dictionary<string, object>
        {
            ["_class_name"] = "EulerDiscreteScheduler", ["_diffusers_version"] = "0.30.0",
            ["beta_end"] = 0.012, ["beta_schedule"] = "scaled_linear", ["beta_start"] = 0.00085,
            ["interpolation_type"] = "linear", ["num_train_timesteps"] = 1000, ["prediction_type"] = "epsilon",
            ["steps_offset"] = 1, ["timestep_spacing"] = "leading", ["use_karras_sigmas"] = false,
        };
        switch (variant)
        {
            case SyntheticModelVariant.StableDiffusion2: config["prediction_type"] = "v_prediction"; break;
            case SyntheticModelVariant.Turbo: config["timestep_spacing"] = "trailing"; config["steps_offset"] = 0; break;
            case SyntheticModelVariant.LatentConsistency:
                config["_class_name"] = "LCMScheduler";
                config["original_inference_steps"] = 50; config["timestep_scaling"] = 10.0; config["set_alpha_to_one"] = true;
                config["clip_sample"] = false;
                config.Remove("interpolation_type"); config.Remove("use_karras_sigmas");
                break;
        }
        return config;
    }

    static Dictionary<string, object> UnetConfigJson(UnetConfig c)
    {
        var config = new Dictionary<string, object>
        {
            ["_class_name"] = "UNet2DConditionModel",
            ["in_channels"] = UnetConfig.LatentChannels, ["out_channels"] = UnetConfig.LatentChannels,
            ["block_out_channels"] = c.BlockOutChannels, ["layers_per_block"] = c.LayersPerBlock,
            ["down_block_types"] = c.TransformerLayers.Select(t => t > 0 ? "CrossAttnDownBlock2D" : "DownBlock2D").ToArray(),
            ["up_block_types"] = Enumerable.Reverse(c.TransformerLayers).Select(t => t > 0 ? "CrossAttnUpBlock2D" : "UpBlock2D").ToArray(),
            ["transformer_layers_per_block"] = c.TransformerLayers.Select(t => Math.Max(1, t)).ToArray(),
            ["attention_head_dim"] = c.HeadCounts, ["cross_attention_dim"] = c.CrossAttentionDim,
            ["norm_num_groups"] = c.NormGroups, ["use_linear_projection"] = c.UseLinearProjection,
            ["flip_sin_to_cos"] = true, ["freq_shift"] = 0,
        };
        if (c.HasTimestepCond) config["time_cond_proj_dim"] = c.TimeCondProjDim;
        if (c.HasAddedCondition)
        {
            config["addition_embed_type"] = "text_time";
            config["addition_time_embed_dim"] = c.AdditionTimeEmbedDim;
            config["projection_class_embeddings_input_dim"] = c.PooledDim + c.TimeIdCount * c.AdditionTimeEmbedDim;
        }
        return config;
    }

    static Dictionary<string, object> ClipConfigJson(ClipTextConfig c) => new()
    {
        ["architectures"] = new[] { c.ProjectionDim > 0 ? "CLIPTextModelWithProjection" : "CLIPTextModel" },
        ["hidden_act"] = c.QuickGelu ? "quick_gelu" : "gelu", ["hidden_size"] = c.HiddenSize,
        ["intermediate_size"] = c.IntermediateSize, ["max_position_embeddings"] = ClipTextConfig.MaxPositions,
        ["num_attention_heads"] = c.Heads, ["num_hidden_layers"] = c.Layers,
        ["projection_dim"] = c.ProjectionDim > 0 ? c.ProjectionDim : c.HiddenSize, ["vocab_size"] = c.VocabularySize,
    };

    static Dictionary<string, object> VaeConfigJson(VaeConfig c) => new()
    {
        ["_class_name"] = "AutoencoderKL", ["block_out_channels"] = c.BlockOutChannels, ["in_channels"] = VaeConfig.ImageChannels,
        ["out_channels"] = VaeConfig.ImageChannels, ["latent_channels"] = VaeConfig.LatentChannels, ["layers_per_block"] = c.LayersPerBlock,
        ["norm_num_groups"] = c.NormGroups, ["scaling_factor"] = (double)(decimal)c.ScalingFactor,
    };
}
