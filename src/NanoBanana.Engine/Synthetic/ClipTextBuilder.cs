using NanoBanana.Onnx;

namespace NanoBanana.Synthetic;

/// <summary>
/// Writes a transformers CLIPTextModel (or CLIPTextModelWithProjection): token + position embeddings, pre-LN
/// transformer layers with causal self-attention, final LayerNorm, pooled output at the end-of-text token
/// (the highest id, found with argmax as transformers does). Outputs <c>last_hidden_state</c>, the pooled
/// <c>pooler_output</c> or projected <c>text_embeds</c>, and, when asked, every <c>hidden_states.N</c>.
/// </summary>
internal sealed class ClipTextBuilder(ModuleEmitter e, ClipTextConfig config)
{
    const int Positions = ClipTextConfig.MaxPositions;

    public void Build(GraphIo io, bool exportHiddenStates)
    {
        var c = config;
        string ids = io.TokenIdsInput();
        var hiddenStates = new List<string>();
        string h;
        using (e.Scope("text_model"))
        {
            using (e.Scope("embeddings"))
            {
                string tokens;
                using (e.Scope("token_embedding"))
                    tokens = e.Op("Gather", [e.Parameter("weight", [c.VocabularySize, c.HiddenSize], 0.05f), ids]);
                string positions;
                using (e.Scope("position_embedding")) positions = e.Parameter("weight", [Positions, c.HiddenSize], 0.05f);
                h = e.Op("Add", [tokens, positions]);
            }
            hiddenStates.Add(h);
            string mask = CausalMask();
            using (e.Scope("encoder"))
                for (int layer = 0; layer < c.Layers; layer++)
                {
                    h = EncoderLayer($"layers.{layer}", h, mask);
                    hiddenStates.Add(h);
                }
            h = e.LayerNorm("final_layer_norm", h, c.HiddenSize);
        }

        // transformers: last_hidden_state[arange(B), input_ids.to(torch.int).argmax(-1)]
        string eos = e.Graph.Op("ArgMax", "/text_model/ArgMax",
            [e.Graph.Op("Cast", "/text_model/Cast", [ids], OnnxAttribute.Int("to", (long)OnnxDataType.Int32))],
            OnnxAttribute.Int("axis", -1), OnnxAttribute.Int("keepdims", 1));
        string pooled = e.Graph.Op("GatherND", "/text_model/GatherND", [h, eos], OnnxAttribute.Int("batch_dims", 1));

        if (c.ProjectionDim > 0)
        {
            string projected = e.Linear("text_projection", pooled, c.HiddenSize, c.ProjectionDim, bias: false, rank2: true);
            io.FloatOutput(projected, "text_embeds", "batch", c.ProjectionDim);
            io.FloatOutput(h, "last_hidden_state", "batch", Positions, c.HiddenSize);
        }
        else
        {
            io.FloatOutput(h, "last_hidden_state", "batch", Positions, c.HiddenSize);
            io.FloatOutput(pooled, "pooler_output", "batch", c.HiddenSize);
        }
        if (exportHiddenStates)
            for (int i = 0; i < hiddenStates.Count; i++) io.FloatOutput(hiddenStates[i], $"hidden_states.{i}", "batch", Positions, c.HiddenSize);
    }

    string EncoderLayer(string module, string x, string mask)
    {
        using var _ = e.Scope(module);
        var c = config;
        string attended = e.Attention("self_attn", e.LayerNorm("layer_norm1", x, c.HiddenSize), null, c.HiddenSize, c.HiddenSize, c.Heads,
            ModuleEmitter.AttentionNames.Clip, mask);
        x = e.Op("Add", [x, attended]);
        string h = e.LayerNorm("layer_norm2", x, c.HiddenSize);
        using (e.Scope("mlp"))
        {
            h = e.Linear("fc1", h, c.HiddenSize, c.IntermediateSize);
            using (e.Scope("activation_fn")) h = c.QuickGelu ? e.QuickGelu(h) : e.Gelu(h);
            h = e.Linear("fc2", h, c.IntermediateSize, c.HiddenSize);
        }
        return e.Op("Add", [x, h]);
    }

    /// <summary>Additive [1, 1, 77, 77] mask: a token attends to itself and the tokens before it.</summary>
    string CausalMask()
    {
        var mask = new float[Positions * Positions];
        for (int row = 0; row < Positions; row++)
            for (int column = row + 1; column < Positions; column++) mask[row * Positions + column] = float.MinValue;
        string name = e.Graph.UniqueName("causal_attention_mask");
        e.Graph.AddInitializer(name, [1, 1, Positions, Positions], mask.AsSpan());
        return name;
    }
}
