using Microsoft.ML.OnnxRuntime;
using NanoBanana.Models;
using NanoBanana.Runtime;

namespace NanoBanana.Unet;

/// <summary>The UNet's graph inputs for one evaluation, in the dtypes and ranks the export declares.</summary>
internal static class UnetFeeds
{
    /// <returns>Input name → value; the caller owns (disposes) the values.</returns>
    public static Dictionary<string, OrtValue> Create(ModelComponent unet, UnetInputs inputs)
    {
        var feeds = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
        try
        {
            void Add(string name, float[] data, int[] shape) =>
                feeds[name] = OrtTensors.Floats(data, Array.ConvertAll(shape, d => (long)d), unet.Input(name).ElementType);
            Add("sample", inputs.Sample, inputs.SampleShape);
            // Older exports take int64 timestep[B], newer ones a float scalar: follow the declared rank and type.
            if (unet.Input("timestep").Rank == 0) Add("timestep", [inputs.Timestep], []);
            else Add("timestep", Enumerable.Repeat(inputs.Timestep, inputs.Batch).ToArray(), [inputs.Batch]);
            Add("encoder_hidden_states", inputs.EncoderHiddenStates, inputs.EncoderHiddenStatesShape);
            if (inputs.TextEmbeds is not null && unet.HasInput("text_embeds")) Add("text_embeds", inputs.TextEmbeds, inputs.TextEmbedsShape!);
            if (inputs.TimeIds is not null && unet.HasInput("time_ids")) Add("time_ids", inputs.TimeIds, inputs.TimeIdsShape!);
            if (unet.HasInput("timestep_cond"))
                Add("timestep_cond", inputs.TimestepCond ?? throw new InvalidOperationException("The UNet takes timestep_cond (an LCM) but none was given."), inputs.TimestepCondShape!);
            return feeds;
        }
        catch
        {
            foreach (var value in feeds.Values) value.Dispose();
            throw;
        }
    }
}
