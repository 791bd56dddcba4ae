using NanoBanana.Models;
using NanoBanana.Schedulers;

namespace NanoBanana.Engine.Tests.Schedulers;

/// <summary>
/// Step() on an analytic problem: the data is a single known x₀ and the "model" returns the exact
/// prediction (ε, v or x₀) for whatever sample it is shown. Every sampler must then land on x₀.
/// </summary>
public class SchedulerStepTests
{
    const int Size = 64;
    static readonly float[] X0 = Enumerable.Range(0, Size).Select(i => MathF.Sin(i * 0.37f) * 0.8f).ToArray();

    static SchedulerConfig Sdxl(PredictionType prediction = PredictionType.Epsilon) => SchedulerConfig.StableDiffusionXL with
    {
        PredictionType = prediction switch { PredictionType.VPrediction => "v_prediction", PredictionType.Sample => "sample", _ => "epsilon" },
        // DDIM/LCM: step past t = 0 onto the clean image.
        SetAlphaToOne = true,
    };

    /// <summary>The exact model for a sample at Karras noise level σ (sample = x₀ + σ·ε in the
    /// scheduler's own space, VP samples being that divided by √(σ²+1)).</summary>
    static float[] ExactModel(IReadOnlyList<float> sample, double sigma, bool vpSpace, PredictionType prediction)
    {
        double alpha = 1 / Math.Sqrt(sigma * sigma + 1), sigmaVp = sigma * alpha;
        var output = new float[Size];
        for (int i = 0; i < Size; i++)
        {
            double x = vpSpace ? sample[i] : sample[i] * alpha; // VP sample = α·x₀ + σ_VP·ε
            double eps = (x - alpha * X0[i]) / sigmaVp;
            output[i] = (float)(prediction switch
            {
                PredictionType.Epsilon => eps,
                PredictionType.VPrediction => alpha * eps - sigmaVp * X0[i],
                _ => X0[i],
            });
        }
        return output;
    }

    static float[] Sample(IDiffusionScheduler scheduler, bool vpSpace, PredictionType prediction, long seed = 7)
    {
        var random = new TorchRandom(seed);
        float[] x = random.Randn([Size]);
        for (int i = 0; i < Size; i++) x[i] *= scheduler.InitNoiseSigma;
        for (int step = 0; step < scheduler.StepCount; step++)
        {
            float[] output = ExactModel(x, scheduler.Sigmas[step], vpSpace, prediction);
            x = scheduler.Step(output, step, x, random);
        }
        return x;
    }

    [Theory]
    [InlineData("Euler", false, PredictionType.Epsilon, 30)]
    [InlineData("Euler", false, PredictionType.VPrediction, 25)]
    [InlineData("Euler", false, PredictionType.Sample, 4)]
    [InlineData("EulerAncestral", false, PredictionType.Epsilon, 25)]
    [InlineData("EulerAncestral", false, PredictionType.VPrediction, 4)]
    [InlineData("DDIM", true, PredictionType.Epsilon, 25)]
    [InlineData("DDIM", true, PredictionType.VPrediction, 10)]
    [InlineData("DDIM", true, PredictionType.Sample, 4)]
    [InlineData("DpmPlusPlus2M", true, PredictionType.Epsilon, 25)]
    [InlineData("DpmPlusPlus2MKarras", true, PredictionType.Epsilon, 30)]
    [InlineData("DpmPlusPlus2MKarras", true, PredictionType.VPrediction, 8)]
    [InlineData("DpmPlusPlus2M", true, PredictionType.Sample, 4)]
    public void ExactModelConvergesToTheData(string sampler, bool vpSpace, PredictionType prediction, int steps)
    {
        var scheduler = SchedulerFactory.Create(sampler, Sdxl(prediction), steps);
        float[] result = Sample(scheduler, vpSpace, prediction);
        for (int i = 0; i < Size; i++) Assert.Equal(X0[i], result[i], 2e-4f);
    }

    [Fact]
    public void LcmConvergesUpToItsBoundaryCondition()
    {
        // The last step keeps c_skip·x (≈ 4e−8 at t = 259), so the result is x₀ to within that.
        var scheduler = SchedulerFactory.Create("Lcm", Sdxl(), 4);
        float[] result = Sample(scheduler, vpSpace: true, PredictionType.Epsilon);
        for (int i = 0; i < Size; i++) Assert.Equal(X0[i], result[i], 1e-4f);
    }

    [Fact]
    public void EulerWithAWrongModelStaysOnItsOdeLine()
    {
        // A model that always predicts ε = 0 says "this is already clean": Euler leaves the sample unchanged.
        var scheduler = new EulerDiscreteScheduler(SchedulerConfig.StableDiffusionXL, 10);
        float[] x = [1f, -2f, 0.5f];
        Assert.Equal(x, scheduler.Step(new float[3], 0, x));
    }

    [Fact]
    public void EulerAncestralDrawsOneRandnOfTheSampleSizePerStep()
    {
        var scheduler = new EulerAncestralDiscreteScheduler(SchedulerConfig.StableDiffusionXL, 4);
        float[] sample = new TorchRandom(3).Randn([Size]);
        float[] output = new TorchRandom(4).Randn([Size]);

        var stream = new TorchRandom(99);
        float[] actual = scheduler.Step(output, 1, sample, stream);

        var expectedStream = new TorchRandom(99);
        float[] noise = expectedStream.Randn([Size]);
        float sigma = scheduler.Sigmas[1], next = scheduler.Sigmas[2];
        float up = MathF.Sqrt(next * next * (sigma * sigma - next * next) / (sigma * sigma));
        float down = MathF.Sqrt(next * next - up * up);
        for (int i = 0; i < Size; i++)
            Assert.Equal(sample[i] + output[i] * (down - sigma) + noise[i] * up, actual[i], 1e-5f);
        // The generator advanced by exactly one randn(Size): both streams continue identically.
        Assert.Equal(expectedStream.NextUInt32(), stream.NextUInt32());
    }

    [Fact]
    public void ScaleModelInputDividesBySqrtSigmaSquaredPlusOne()
    {
        var scheduler = new EulerDiscreteScheduler(SchedulerConfig.StableDiffusionXL, 30);
        float sigma = scheduler.Sigmas[0];
        Assert.Equal(2f / MathF.Sqrt(sigma * sigma + 1), scheduler.ScaleModelInput([2f], 0)[0], 1e-7f);
        Assert.Equal([2f], new DdimScheduler(SchedulerConfig.StableDiffusionXL, 30).ScaleModelInput([2f], 0));
    }

    [Fact]
    public void MultistepSolverRequiresStepsInOrder()
    {
        var scheduler = new DpmSolverMultistepScheduler(SchedulerConfig.StableDiffusionXL, 10);
        float[] x = new float[Size];
        scheduler.Step(x, 0, x);
        Assert.Throws<InvalidOperationException>(() => scheduler.Step(x, 2, x));
    }

    [Fact]
    public void NoiseAddingSchedulersDemandTheGenerator()
    {
        float[] x = new float[Size];
        Assert.Throws<ArgumentNullException>(() => new EulerAncestralDiscreteScheduler(SchedulerConfig.StableDiffusionXL, 4).Step(x, 0, x));
        Assert.Throws<ArgumentNullException>(() => new LcmScheduler(SchedulerConfig.StableDiffusionXL, 4).Step(x, 0, x));
        // LCM's last step is noise-free.
        new LcmScheduler(SchedulerConfig.StableDiffusionXL, 1).Step(x, 0, x);
    }
}
