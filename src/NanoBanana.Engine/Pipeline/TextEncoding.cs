using Microsoft.ML.OnnxRuntime;
using NanoBanana.Models;
using NanoBanana.Runtime;
using NanoBanana.Text;

namespace NanoBanana.Pipeline;

/// <summary>
/// Prompt → <see cref="TextConditioning"/>, A1111-style: each 77-token window is encoded on its own and
/// the windows are concatenated along the sequence axis. SD 1.x/2.x use <c>last_hidden_state</c> (SD 2.x ships its
/// OpenCLIP-H encoder with the last layer removed, num_hidden_layers 23, so that is its penultimate layer, as diffusers
/// uses it); SDXL the penultimate <c>hidden_states.*</c> of both encoders concatenated on the feature axis, plus
/// encoder 2's pooled <c>text_embeds</c> of the first window. <see cref="PromptOverflow.Truncate"/> encodes one
/// window per prompt instead, as diffusers does.
/// </summary>
public sealed class TextEncoding
{
    readonly ModelSessions _sessions;
    readonly PromptChunker _chunker;
    readonly PromptChunker? _chunker2;

    public TextEncoding(ModelSessions sessions)
    {
        _sessions = sessions ?? throw new ArgumentNullException(nameof(sessions));
        var model = sessions.Model;
        _chunker = new PromptChunker(ClipTokenizer.Load(Path.Combine(model.Folder, "tokenizer")));
        if (model.Architecture == DiffusionArchitecture.StableDiffusionXL)
            _chunker2 = new PromptChunker(ClipTokenizer.Load(Path.Combine(model.Folder, "tokenizer_2")));
    }

    /// <summary>Encodes both prompts with equal window counts. An empty negative prompt on a model with
    /// <see cref="DiffusionModel.ForceZerosForEmptyPrompt"/> gives zeros (diffusers' SDXL behaviour).
    /// With <see cref="PromptOverflow.Truncate"/> each prompt is one window and the words dropped from it are
    /// added to <paramref name="warnings"/>.</summary>
    public (TextConditioning Positive, TextConditioning Negative) EncodePair(string prompt, string negativePrompt, CancellationToken cancellationToken,
        PromptOverflow overflow = PromptOverflow.Chunk, ICollection<string>? warnings = null)
    {
        var (pos, neg) = Windows(_chunker, prompt, negativePrompt, overflow, warnings);
        IReadOnlyList<int[]>? pos2 = null, neg2 = null;
        // Both SDXL tokenizers share CLIP's BPE, so they drop the same words: reported once.
        if (_chunker2 is not null) (pos2, neg2) = Windows(_chunker2, prompt, negativePrompt, overflow, null);
        var positive = Encode(pos, pos2, cancellationToken);
        bool zeros = negativePrompt.Length == 0 && _sessions.Model.ForceZerosForEmptyPrompt;
        var negative = zeros ? positive.Zeros() : Encode(neg, neg2, cancellationToken);
        return (positive, negative);
    }

    static (IReadOnlyList<int[]> Prompt, IReadOnlyList<int[]> NegativePrompt) Windows(PromptChunker chunker, string prompt, string negativePrompt,
        PromptOverflow overflow, ICollection<string>? warnings)
    {
        if (overflow == PromptOverflow.Chunk) return chunker.ChunkPair(prompt, negativePrompt);
        var (positive, dropped) = chunker.Truncate(prompt);
        var (negative, droppedNegative) = chunker.Truncate(negativePrompt);
        // diffusers' own words (it logs them the same way), so users comparing with it recognise the message.
        if (dropped.Length > 0)
            warnings?.Add($"The following part of your input was truncated because CLIP can only handle sequences up to {ClipTokenizer.ContextLength} tokens: [\"{dropped}\"] (-PromptOverflow Truncate; Chunk keeps every word).");
        if (droppedNegative.Length > 0)
            warnings?.Add($"The following part of your negative prompt was truncated because CLIP can only handle sequences up to {ClipTokenizer.ContextLength} tokens: [\"{droppedNegative}\"].");
        return ([positive], [negative]);
    }

    TextConditioning Encode(IReadOnlyList<int[]> windows, IReadOnlyList<int[]>? windows2, CancellationToken cancellationToken)
    {
        var model = _sessions.Model;
        if (model.Architecture == DiffusionArchitecture.StableDiffusion15)
        {
            var parts = windows.Select(w => RunEncoder(DiffusionModel.TextEncoder, w, ["last_hidden_state"], cancellationToken)[0]).ToList();
            return Concatenate(parts, null);
        }
        string penultimate1 = Penultimate(model[DiffusionModel.TextEncoder]);
        string penultimate2 = Penultimate(model[DiffusionModel.TextEncoder2]);
        var hidden = new List<(float[] Data, int Width)>();
        float[]? pooled = null;
        for (int i = 0; i < windows.Count; i++)
        {
            var h1 = RunEncoder(DiffusionModel.TextEncoder, windows[i], [penultimate1], cancellationToken)[0];
            var r2 = RunEncoder(DiffusionModel.TextEncoder2, windows2![i], [penultimate2, "text_embeds"], cancellationToken);
            pooled ??= r2[1].Data;
            hidden.Add(ConcatenateFeatures(h1, r2[0]));
        }
        return Concatenate(hidden, pooled);
    }

    /// <summary>hidden_states.0 is the embedding output and hidden_states.{n−1} the last layer, so the
    /// penultimate layer is hidden_states.{n−2} for n outputs (11 for ViT-L, 31 for bigG).</summary>
    static string Penultimate(ModelComponent encoder)
    {
        int count = encoder.Outputs.Count(o => o.Name.StartsWith("hidden_states.", StringComparison.Ordinal));
        if (count < 2)
            throw new InvalidDataException($"{encoder.Path} has no hidden_states.* outputs, which SDXL needs. Re-export with `optimum-cli export onnx` (it exports the hidden states).");
        return "hidden_states." + (count - 2);
    }

    List<(float[] Data, int Width)> RunEncoder(string component, int[] ids, string[] outputs, CancellationToken cancellationToken)
    {
        var contract = _sessions.Model[component].Input("input_ids");
        using var input = OrtTensors.Integers(ids, [1, ids.Length], contract.ElementType);
        using var results = CancellableRun.Run(_sessions.Get(component), ["input_ids"], [input], outputs, cancellationToken);
        return results.Select(r => (OrtTensors.ReadFloats(r), (int)OrtTensors.Shape(r)[^1])).ToList();
    }

    static (float[] Data, int Width) ConcatenateFeatures((float[] Data, int Width) a, (float[] Data, int Width) b)
    {
        int rows = a.Data.Length / a.Width, width = a.Width + b.Width;
        var result = new float[rows * width];
        for (int r = 0; r < rows; r++)
        {
            a.Data.AsSpan(r * a.Width, a.Width).CopyTo(result.AsSpan(r * width));
            b.Data.AsSpan(r * b.Width, b.Width).CopyTo(result.AsSpan(r * width + a.Width));
        }
        return (result, width);
    }

    static TextConditioning Concatenate(List<(float[] Data, int Width)> windows, float[]? pooled)
    {
        int width = windows[0].Width;
        var all = windows.SelectMany(w => w.Data).ToArray();
        return new TextConditioning(all, all.Length / width, width, pooled);
    }
}
