using Microsoft.ML.OnnxRuntime;
using NanoBanana.Models;
using NanoBanana.Runtime;

namespace NanoBanana.Diffusion;

/// <summary>Runs the whole <c>unet/model.onnx</c> in one session from <see cref="ModelSessions"/>.</summary>
public sealed class WholeUnetRunner : IUnetRunner
{
    readonly ModelSessions _sessions;
    int _runCount;

    public WholeUnetRunner(ModelSessions sessions) => _sessions = sessions ?? throw new ArgumentNullException(nameof(sessions));

    public int RunCount => _runCount;

    public float[] Run(UnetInputs inputs, CancellationToken cancellationToken)
    {
        var unet = _sessions.Model[DiffusionModel.Unet];
        var session = _sessions.Get(DiffusionModel.Unet);
        var names = new List<string>();
        var values = new List<OrtValue>();
        try
        {
            void Add(string name, float[] data, int[] shape)
            {
                names.Add(name);
                values.Add(OrtTensors.Floats(data, Array.ConvertAll(shape, d => (long)d), unet.Input(name).ElementType));
            }
            Add("sample", inputs.Sample, inputs.SampleShape);
            // Older exports take int64 timestep[B], newer ones a float scalar: follow the declared rank and type.
            var timestep = unet.Input("timestep");
            if (timestep.Rank == 0) Add("timestep", [inputs.Timestep], []);
            else Add("timestep", Enumerable.Repeat(inputs.Timestep, inputs.Batch).ToArray(), [inputs.Batch]);
            Add("encoder_hidden_states", inputs.EncoderHiddenStates, inputs.EncoderHiddenStatesShape);
            if (inputs.TextEmbeds is not null && unet.HasInput("text_embeds")) Add("text_embeds", inputs.TextEmbeds, inputs.TextEmbedsShape!);
            if (inputs.TimeIds is not null && unet.HasInput("time_ids")) Add("time_ids", inputs.TimeIds, inputs.TimeIdsShape!);

            string output = unet.Outputs[0].Name;
            using var results = CancellableRun.Run(session, names, values, [output], cancellationToken);
            Interlocked.Increment(ref _runCount);
            return OrtTensors.ReadFloats(results[0]);
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }
}
