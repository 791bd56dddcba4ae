using System.Text.Json;
using NanoBanana.Engine.Tests.Text;
using NanoBanana.Onnx;

namespace NanoBanana.Engine.Tests.Pipeline;

/// <summary>
/// A minimal diffusers-layout model folder built from real ONNX ops (Gather embeddings, hidden-state
/// outputs, a UNet whose prediction depends on sample, timestep and text conditioning, a nearest-upsampling
/// VAE decoder). Stand-in until the forge branch's SyntheticModelForge lands; the tests only rely on the
/// diffusers I/O contract, so they switch over unchanged.
/// </summary>
internal static class TinyDiffusionFolder
{
    public const int Hidden1 = 8, Hidden2 = 12, Hidden1Layers = 3, Hidden2Layers = 4;

    /// <param name="slowUnet">Adds input-dependent matrix work (~0.5–2 s per UNet run on 2 cores) so a test can cancel mid-step.</param>
    /// <param name="legacyIo">The older export contract: int32 input_ids, int64 timestep[batch], fp16 UNet tensors.</param>
    public static string Create(string folder, bool xl, bool slowUnet = false, bool legacyIo = false)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "model_index.json"), JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["_class_name"] = xl ? "StableDiffusionXLPipeline" : "StableDiffusionPipeline",
            ["_diffusers_version"] = "0.30.0",
        }));
        Directory.CreateDirectory(Path.Combine(folder, "scheduler"));
        File.WriteAllText(Path.Combine(folder, "scheduler", "scheduler_config.json"),
            """{"_class_name":"EulerDiscreteScheduler","num_train_timesteps":1000,"beta_start":0.00085,"beta_end":0.012,"beta_schedule":"scaled_linear","prediction_type":"epsilon","timestep_spacing":"leading","steps_offset":1}""");
        Tokenizer(Path.Combine(folder, "tokenizer"), null);
        TextEncoder(Path.Combine(folder, "text_encoder"), Hidden1, Hidden1Layers, pooled: false, seed: 1, legacyIo);
        int context = Hidden1;
        if (xl)
        {
            Tokenizer(Path.Combine(folder, "tokenizer_2"), "!");
            TextEncoder(Path.Combine(folder, "text_encoder_2"), Hidden2, Hidden2Layers, pooled: true, seed: 2, legacyIo);
            context = Hidden1 + Hidden2;
        }
        Unet(Path.Combine(folder, "unet"), context, xl, slowUnet, legacyIo);
        VaeDecoder(Path.Combine(folder, "vae_decoder"));
        return folder;
    }

    static void Tokenizer(string dir, string? pad)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "vocab.json"), JsonSerializer.Serialize(TinyClipVocabulary.Vocab()));
        File.WriteAllLines(Path.Combine(dir, "merges.txt"), TinyClipVocabulary.Merges);
        if (pad is not null) File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), JsonSerializer.Serialize(new { pad_token = pad }));
    }

    static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    static void TextEncoder(string dir, int width, int layers, bool pooled, int seed, bool int32Ids)
    {
        Directory.CreateDirectory(dir);
        var g = new OnnxGraphBuilder("text_encoder");
        g.AddInput("input_ids", int32Ids ? OnnxDataType.Int32 : OnnxDataType.Int64, 1, 77);
        int vocab = TinyClipVocabulary.Tokens.Length;
        g.AddInitializer("embedding", [vocab, width], Values(vocab * width, seed));
        // A causal-free "transformer": each layer mixes the running state with the mean over the sequence,
        // so every position depends on the whole window (like attention) and each hidden state differs.
        string state = g.Op("Gather", "/embeddings", ["embedding", "input_ids"]);
        g.AddNode("Identity", [state], ["hidden_states.0"]);
                for (int layer = 1; layer < layers; layer++)
        {
            string mean = g.Op("ReduceMean", $"/layer{layer}/mean", [state], OnnxAttribute.Ints("axes", 1));
            string mixed = g.Op("Add", $"/layer{layer}/mix", [state, mean]);
            state = g.Op("Tanh", $"/layer{layer}/act", [mixed]);
            g.AddNode("Identity", [state], [$"hidden_states.{layer}"]);
        }
        g.AddNode("Identity", [state], ["last_hidden_state"]);
        g.AddOutput("last_hidden_state", OnnxDataType.Float, 1, 77, width);
        if (pooled)
        {
            g.AddNode("ReduceMean", [state], ["text_embeds"], null, OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 0));
            g.AddOutput("text_embeds", OnnxDataType.Float, 1, width);
        }
        for (int layer = 0; layer < layers; layer++) g.AddOutput($"hidden_states.{layer}", OnnxDataType.Float, 1, 77, width);
        g.Save(Path.Combine(dir, "model.onnx"));
    }

    static void Unet(string dir, int context, bool xl, bool slow, bool legacy)
    {
        Directory.CreateDirectory(dir);
        var g = new OnnxGraphBuilder("unet");
        var floatType = legacy ? OnnxDataType.Float16 : OnnxDataType.Float;
        // fp16 inputs are cast to fp32 at the graph boundary (as in mixed-precision exports).
        string Input(string name, params object[] dims)
        {
            g.AddInput(name, floatType, dims);
            return legacy ? g.Op("Cast", $"/{name}/cast", [name], OnnxAttribute.Int("to", (long)OnnxDataType.Float)) : name;
        }
        string sample = Input("sample", "batch", 4, "height", "width");
        string timestep;
        if (legacy)
        {
            g.AddInput("timestep", OnnxDataType.Int64, "batch");
            string asFloat = g.Op("Cast", "/timestep/cast", ["timestep"], OnnxAttribute.Int("to", (long)OnnxDataType.Float));
            timestep = g.Op("Unsqueeze", "/timestep/unsqueeze", [asFloat, g.Int64Constant("t_axes", 1, 2, 3)]);
        }
        else
        {
            g.AddInput("timestep", OnnxDataType.Float);
            timestep = "timestep";
        }
        string encoderHiddenStates = Input("encoder_hidden_states", "batch", "sequence", context);
        // Per-channel response to the conditioning so that prompt changes move the image.
        g.AddInitializer("text_to_channels", [context, 4], Values(context * 4, 3));
        string tokenMean = g.Op("ReduceMean", "/cond/mean", [encoderHiddenStates],
            OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 0));                                                              // [B, C]
        string perChannel = g.Op("MatMul", "/cond/proj", [tokenMean, "text_to_channels"]);                     // [B, 4]
        string bias = g.Op("Unsqueeze", "/cond/unsqueeze", [perChannel, g.Int64Constant("hw_axes", 2, 3)]);   // [B, 4, 1, 1]
        if (xl)
        {
            string textEmbeds = Input("text_embeds", "batch", Hidden2);
            string timeIds = Input("time_ids", "batch", 6);
            string pooled = g.Op("ReduceMean", "/added/pooled", [textEmbeds], OnnxAttribute.Ints("axes", 1));  // [B, 1]
            string time = g.Op("ReduceMean", "/added/time", [timeIds], OnnxAttribute.Ints("axes", 1));         // [B, 1]
            string scaledTime = g.Op("Mul", "/added/time_scale", [time, g.FloatScalar("time_scale", 0.001f)]);
            string added = g.Op("Add", "/added/sum", [pooled, scaledTime]);
            string addedBias = g.Op("Unsqueeze", "/added/unsqueeze", [added, g.Int64Constant("added_axes", 2, 3)]);
            bias = g.Op("Add", "/added/bias", [bias, addedBias]);
        }
        string t = g.Op("Mul", "/time/scale", [timestep, g.FloatScalar("timestep_scale", 0.0005f)]);
        string x = g.Op("Mul", "/sample/scale", [sample, g.FloatScalar("sample_scale", 0.8f)]);
        string sum = g.Op("Add", "/sum", [g.Op("Add", "/sum_t", [x, t]), bias]);
        if (slow)
        {
            // Matrix work that depends on the input (so ORT cannot fold it away) and contributes 0.
            string seedValue = g.Op("ReduceMean", "/slow/seed", [sample], OnnxAttribute.Int("keepdims", 0));
            g.AddInitializer("slow_ones", [384, 384], Enumerable.Repeat(1f / 384, 384 * 384).ToArray());
            string m = g.Op("Mul", "/slow/init", ["slow_ones", seedValue]);
            for (int i = 0; i < 600; i++) m = g.Op("MatMul", $"/slow/mm{i}", [m, "slow_ones"]);
            string zero = g.Op("Mul", "/slow/zero", [g.Op("ReduceMean", "/slow/mean", [m], OnnxAttribute.Int("keepdims", 0)), g.FloatScalar("zero", 0f)]);
            sum = g.Op("Add", "/slow/add", [sum, zero]);
        }
        if (legacy) g.AddNode("Cast", [g.Op("Tanh", "/out", [sum])], ["out_sample"], null, OnnxAttribute.Int("to", (long)OnnxDataType.Float16));
        else g.AddNode("Tanh", [sum], ["out_sample"]);
        g.AddOutput("out_sample", floatType, "batch", 4, "height", "width");
        g.Save(Path.Combine(dir, "model.onnx"));
    }

    static void VaeDecoder(string dir)
    {
        Directory.CreateDirectory(dir);
        var g = new OnnxGraphBuilder("vae_decoder");
        g.AddInput("latent_sample", OnnxDataType.Float, "batch", 4, "height", "width");
        string rgb = g.Op("Slice", "/rgb", ["latent_sample", g.Int64Constant("starts", 0), g.Int64Constant("ends", 3), g.Int64Constant("axes", 1)]);
        g.AddInitializer("scales", [4], new float[] { 1, 1, 8, 8 });
        string up = g.Op("Resize", "/upsample", [rgb, "", "scales"], OnnxAttribute.String("mode", "nearest"));
        // A 3×3 per-channel blur makes each pixel depend on its neighbours, as a real decoder's convolutions
        // do, so tiled decoding differs from whole decoding at tile edges and the blending is exercised.
        var blur = new float[3 * 3 * 3 * 3];
        for (int c = 0; c < 3; c++) for (int k = 0; k < 9; k++) blur[(c * 3 + c) * 9 + k] = 1f / 9;
        g.AddInitializer("blur", [3, 3, 3, 3], blur);
        string smooth = g.Op("Conv", "/blur", [up, "blur"], OnnxAttribute.Ints("pads", 1, 1, 1, 1));
        // Undo the pipeline's 1/scaling_factor so the tiny latents (|x| ≲ 1) map to mid-range colours.
        string scaled = g.Op("Mul", "/unscale", [smooth, g.FloatScalar("vae_gain", 0.15f)]);
        g.AddNode("Tanh", [scaled], ["sample"]);
        g.AddOutput("sample", OnnxDataType.Float, "batch", 3, "height_out", "width_out");
        g.Save(Path.Combine(dir, "model.onnx"));
    }
}
