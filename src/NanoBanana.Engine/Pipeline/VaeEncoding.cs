using NanoBanana.Imaging;
using NanoBanana.Models;
using NanoBanana.Onnx;
using NanoBanana.Runtime;
using NanoBanana.Schedulers;

namespace NanoBanana.Pipeline;

/// <summary>
/// RGB → latents, as diffusers' img2img <c>prepare_latents</c> does it: <c>VaeImageProcessor</c> maps bytes to
/// 2·(x/255) − 1, vae_encoder gives the latent distribution's mean and log-variance (<see cref="VaeEncoderGraph"/> cuts
/// an Optimum export before its in-graph sampling), the sample is mean + exp(½·clamp(logvar, −30, 20))·randn drawn
/// from the render's generator (<c>DiagonalGaussianDistribution.sample(generator)</c>, so it is the generator's first
/// draw, before the noise), then × the VAE scaling factor. The encoder's session belongs to <see cref="ModelSessions"/>
/// like every other; it runs in one pass (no tiling).
/// </summary>
public sealed class VaeEncoding
{
    readonly ModelSessions _sessions;
    ModelComponent? _component;

    public VaeEncoding(ModelSessions sessions) => _sessions = sessions ?? throw new ArgumentNullException(nameof(sessions));

    /// <summary>The session's key with <see cref="ModelSessions"/>: the encoder file relative to the model folder.</summary>
    static string Key => Path.Combine(DiffusionModel.VaeEncoder, "model.onnx");

    /// <summary>Batch-1 latents [1, C, H/8, W/8] of an image, scaled for the UNet.</summary>
    /// <exception cref="FileNotFoundException">The model has no vae_encoder (image-to-image needs it).</exception>
    public float[] Encode(RgbaImage image, TorchRandom random, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(random);
        var component = Component();
        int width = image.Width, height = image.Height, plane = width * height;
        var rgb = new float[3 * plane];
        var pixels = image.Pixels;
        for (int i = 0; i < plane; i++)
            for (int c = 0; c < 3; c++) rgb[c * plane + i] = 2f * (pixels[i * 4 + c] / 255f) - 1f;

        var session = _sessions.GetGraph(Key, component.WeightBytes,
            () => VaeEncoderGraph.DistributionParameters(OnnxModelFile.Load(component.Path), component.Path), Path.GetDirectoryName(component.Path)!);
        var input = component.Inputs[0];
        using var value = OrtTensors.Floats(rgb, [1, 3, height, width], input.ElementType);
        using var results = CancellableRun.Run(session, [input.Name], [value], [VaeEncoderGraph.ParametersOutput], cancellationToken);
        float[] parameters = OrtTensors.ReadFloats(results[0]);

        int latentPlane = (height / 8) * (width / 8), channels = parameters.Length / (2 * latentPlane);
        if (channels < 1 || parameters.Length != 2 * channels * latentPlane)
            throw new ModelInvalidException(component.Path, $"returned {parameters.Length} values for a {width}x{height} image, not mean and log-variance at 1/8 of its size",
                "Re-export the VAE encoder with `optimum-cli export onnx`.");
        float[] noise = random.Randn([1, channels, height / 8, width / 8]);
        float scale = _sessions.Model.VaeScalingFactor;
        var latents = new float[channels * latentPlane];
        for (int i = 0; i < latents.Length; i++)
        {
            float std = MathF.Exp(0.5f * Math.Clamp(parameters[latents.Length + i], -30f, 20f));
            latents[i] = scale * (parameters[i] + std * noise[i]);
        }
        return latents;
    }

    /// <summary>Frees the encoder's session (Low memory mode, after use); the next <see cref="Encode"/> reloads it.</summary>
    public void Release() => _sessions.ReleaseKey(Key);

    ModelComponent Component()
    {
        if (_component is not null) return _component;
        string folder = _sessions.Model.Folder;
        if (!File.Exists(Path.Combine(folder, Key)))
            throw new FileNotFoundException($"'{Path.Combine(folder, Key)}' is missing: rendering from an image (a layout guide or -InitImage) needs the model's VAE encoder. Export it too (`optimum-cli export onnx` writes vae_encoder/), or render with -LayoutStrength 1.", Path.Combine(folder, Key));
        return _component = DiffusionModel.ReadComponent(folder, DiffusionModel.VaeEncoder);
    }
}
