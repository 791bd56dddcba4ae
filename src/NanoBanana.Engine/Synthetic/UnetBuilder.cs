using NanoBanana.Onnx;

namespace NanoBanana.Synthetic;

/// <summary>
/// Writes a UNet2DConditionModel graph with diffusers' structure: sinusoidal timestep embedding (+ SDXL's
/// text_time added embedding), conv_in, down blocks of ResNet blocks and cross-attention transformers with a
/// stride-2 downsample, a mid block, up blocks that concatenate the skip connections, GroupNorm/SiLU/conv_out.
/// At <see cref="SyntheticModelSize.Full"/> its parameter count is the real model's.
/// </summary>
internal sealed class UnetBuilder(ModuleEmitter e, UnetConfig config)
{
    const float ResnetEpsilon = 1e-5f, TransformerNormEpsilon = 1e-6f;

    /// <summary>Declares the diffusers inputs/outputs and emits the network; float inputs arrive in <paramref name="io"/>'s dtype.</summary>
    public void Build(GraphIo io)
    {
        var c = config;
        string sample = io.FloatInput("sample", "batch", UnetConfig.LatentChannels, "height", "width");
        string timestep = io.TimestepInput();
        string context = io.FloatInput("encoder_hidden_states", "batch", "sequence", c.CrossAttentionDim);

        string? timestepCond = c.HasTimestepCond ? io.FloatInput("timestep_cond", "batch", c.TimeCondProjDim) : null;
        string emb = TimeEmbedding(timestep, timestepCond);
        if (c.HasAddedCondition)
        {
            string textEmbeds = io.FloatInput("text_embeds", "batch", c.PooledDim);
            string timeIds = io.FloatInput("time_ids", "batch", c.TimeIdCount);
            emb = e.Graph.Op("Add", "/Add", [emb, AddedEmbedding(textEmbeds, timeIds)]);
        }

        string h = e.Conv("conv_in", sample, UnetConfig.LatentChannels, c.BlockOutChannels[0], 3);
        var skips = new Stack<(string Value, int Channels)>();
        skips.Push((h, c.BlockOutChannels[0]));
        int channels = c.BlockOutChannels[0];
        for (int block = 0; block < c.BlockOutChannels.Length; block++)
        {
            using var _ = e.Scope($"down_blocks.{block}");
            int outChannels = c.BlockOutChannels[block];
            for (int layer = 0; layer < c.LayersPerBlock; layer++)
            {
                h = Resnet($"resnets.{layer}", h, channels, outChannels, emb);
                channels = outChannels;
                if (c.TransformerLayers[block] > 0) h = Transformer($"attentions.{layer}", h, channels, block, context);
                skips.Push((h, channels));
            }
            if (block < c.BlockOutChannels.Length - 1)
            {
                using (e.Scope("downsamplers.0")) h = e.Conv("conv", h, channels, channels, 3, stride: 2);
                skips.Push((h, channels));
            }
        }

        int deepest = c.BlockOutChannels.Length - 1;
        using (e.Scope("mid_block"))
        {
            h = Resnet("resnets.0", h, channels, channels, emb);
            h = Transformer("attentions.0", h, channels, deepest, context, Math.Max(1, c.TransformerLayers[deepest]));
            h = Resnet("resnets.1", h, channels, channels, emb);
        }

        for (int up = 0; up <= deepest; up++)
        {
            using var _ = e.Scope($"up_blocks.{up}");
            int level = deepest - up, outChannels = c.BlockOutChannels[level];
            for (int layer = 0; layer <= c.LayersPerBlock; layer++)
            {
                var skip = skips.Pop();
                using (e.Scope($"resnets.{layer}")) h = e.Op("Concat", [h, skip.Value], OnnxAttribute.Int("axis", 1));
                h = Resnet($"resnets.{layer}", h, channels + skip.Channels, outChannels, emb);
                channels = outChannels;
                if (c.TransformerLayers[level] > 0) h = Transformer($"attentions.{layer}", h, channels, level, context);
            }
            if (level > 0) h = e.Upsample("upsamplers.0", h, channels);
        }

        h = e.GroupNorm("conv_norm_out", h, c.NormGroups, channels, ResnetEpsilon);
        using (e.Scope("conv_act")) h = e.Silu(h);
        io.FloatOutput(e.Conv("conv_out", h, channels, UnetConfig.LatentChannels, 3), "out_sample", "batch", UnetConfig.LatentChannels, "height", "width");
    }

    /// <summary>time_proj and time_embedding; an LCM's <paramref name="timestepCond"/> is projected (cond_proj, no bias)
    /// and added to the sinusoid first, as diffusers' TimestepEmbedding does with its condition.</summary>
    string TimeEmbedding(string timestep, string? timestepCond)
    {
        string projected;
        using (e.Scope("time_proj")) projected = Sinusoid(e.Op("Reshape", [timestep, e.Ints(-1)]), config.BlockOutChannels[0]);
        using var _ = e.Scope("time_embedding");
        if (timestepCond is not null)
            projected = e.Op("Add", [projected, e.Linear("cond_proj", timestepCond, config.TimeCondProjDim, config.BlockOutChannels[0], bias: false, rank2: true)]);
        return TimestepEmbedding(projected, config.BlockOutChannels[0]);
    }

    string TimestepEmbedding(string x, int inFeatures)
    {
        string h = e.Linear("linear_1", x, inFeatures, config.TimeEmbedDim, rank2: true);
        using (e.Scope("act")) h = e.Silu(h);
        return e.Linear("linear_2", h, config.TimeEmbedDim, config.TimeEmbedDim, rank2: true);
    }

    /// <summary>SDXL's "text_time": sinusoids of the six time ids, concatenated with the pooled text embedding.</summary>
    string AddedEmbedding(string textEmbeds, string timeIds)
    {
        int timeFeatures = config.TimeIdCount * config.AdditionTimeEmbedDim;
        string timeEmbeds;
        using (e.Scope("add_time_proj")) timeEmbeds = Sinusoid(e.Op("Reshape", [timeIds, e.Ints(-1)]), config.AdditionTimeEmbedDim);
        timeEmbeds = e.Graph.Op("Reshape", "/Reshape", [timeEmbeds, e.Ints(-1, timeFeatures)]);
        string joined = e.Graph.Op("Concat", "/Concat", [textEmbeds, timeEmbeds], OnnxAttribute.Int("axis", -1));
        using var _ = e.Scope("add_embedding");
        return TimestepEmbedding(joined, config.PooledDim + timeFeatures);
    }

    /// <summary>diffusers' get_timestep_embedding with flip_sin_to_cos=True, freq_shift=0: [cos(t·f), sin(t·f)].</summary>
    string Sinusoid(string t, int dim)
    {
        int half = dim / 2;
        var frequencies = new float[half];
        for (int i = 0; i < half; i++) frequencies[i] = MathF.Exp(-MathF.Log(10000f) * i / half);
        string angles = e.Op("Mul", [e.Op("Unsqueeze", [e.Op("Cast", [t], OnnxAttribute.Int("to", (long)OnnxDataType.Float)), e.Ints(1)]),
            e.FloatArray(frequencies)]);
        return e.Op("Concat", [e.Op("Cos", [angles]), e.Op("Sin", [angles])], OnnxAttribute.Int("axis", -1));
    }

    string Resnet(string module, string x, int inChannels, int outChannels, string emb) =>
        e.ResnetBlock(module, x, inChannels, outChannels, config.NormGroups, ResnetEpsilon, (emb, config.TimeEmbedDim));

    /// <summary>Transformer2DModel: GroupNorm, proj_in, BasicTransformerBlocks over the H·W tokens, proj_out, residual.</summary>
    string Transformer(string module, string x, int channels, int level, string context, int? layers = null)
    {
        using var _ = e.Scope(module);
        var c = config;
        string h = e.GroupNorm("norm", x, c.NormGroups, channels, TransformerNormEpsilon);
        if (!c.UseLinearProjection) h = e.Conv("proj_in", h, channels, channels, 1);
        h = e.Op("Reshape", [e.Op("Transpose", [h], OnnxAttribute.Ints("perm", 0, 2, 3, 1)), e.Ints(0, -1, channels)]);   // [B, HW, C]
        if (c.UseLinearProjection) h = e.Linear("proj_in", h, channels, channels);
        for (int block = 0; block < (layers ?? c.TransformerLayers[level]); block++)
            h = TransformerBlock($"transformer_blocks.{block}", h, channels, c.HeadCounts[level], context);
        if (c.UseLinearProjection) h = e.Linear("proj_out", h, channels, channels);
        h = e.Op("Reshape", [e.Op("Transpose", [h], OnnxAttribute.Ints("perm", 0, 2, 1)), e.Op("Shape", [x])]);      // [B, C, H, W]
        if (!c.UseLinearProjection) h = e.Conv("proj_out", h, channels, channels, 1);
        return e.Op("Add", [h, x]);
    }

    string TransformerBlock(string module, string x, int dim, int heads, string context)
    {
        using var _ = e.Scope(module);
        var names = ModuleEmitter.AttentionNames.Diffusers;
        x = e.Op("Add", [e.Attention("attn1", e.LayerNorm("norm1", x, dim), null, dim, dim, heads, names), x]);
        x = e.Op("Add", [e.Attention("attn2", e.LayerNorm("norm2", x, dim), context, dim, config.CrossAttentionDim, heads, names), x]);
        return e.Op("Add", [FeedForward(e.LayerNorm("norm3", x, dim), dim), x]);
    }

    /// <summary>GEGLU feed-forward: proj to 2·4C, split into value and gate, value·GELU(gate), back to C.</summary>
    string FeedForward(string x, int dim)
    {
        using var _ = e.Scope("ff");
        int inner = 4 * dim;
        string hidden, gated;
        using (e.Scope("net.0"))
        {
            string projected = e.Linear("proj", x, dim, 2 * inner);
            var split = e.Graph.AddNode("Split", [projected, e.Ints(inner, inner)], [], e.NodeName("Split"), OnnxAttribute.Int("axis", -1));
            hidden = e.Graph.UniqueName(split.Name + "_output_0");
            string gate = e.Graph.UniqueName(split.Name + "_output_1");
            split.Output.Add(hidden);
            split.Output.Add(gate);
            gated = e.Op("Mul", [hidden, e.Gelu(gate)]);
        }
        return e.Linear("net.2", gated, inner, dim);
    }
}
