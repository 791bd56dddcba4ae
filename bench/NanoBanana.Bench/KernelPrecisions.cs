using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using NanoBanana.Onnx;

namespace NanoBanana.Bench;

/// <summary>
/// What each precision ONNX Runtime's CPU provider offers does to the UNet's two dominant kernels on this CPU: the
/// linear layers' matrix products and the 3×3 convolutions, at SDXL's shapes for a 512² render (one CFG pass). Each
/// kernel is a one-node graph (with the quantise and dequantise nodes its precision needs around it) run in a plain ORT
/// session with all graph optimisations, so ORT fuses what it fuses in a real model. Precisions: fp32 (today's),
/// int8 with the activations quantised on every run (DynamicQuantizeLinear into MatMulInteger or ConvInteger, what
/// ORT's quantize_dynamic writes), static int8 (fixed activation scales: QLinearMatMul, QLinearConv, what a calibrated
/// QDQ model runs) and fp16. Weight-only MatMulNBits is not here: the whole-UNet profile measured it (RESULTS.md).
/// </summary>
internal static class KernelPrecisions
{
    enum Precision { Float32, DynamicInt8, StaticInt8, Float16 }

    sealed record Kernel(string Name, bool Convolution, int M, int K, int N, int Side)
    {
        /// <summary>Multiply-adds of one run.</summary>
        public double MultiplyAdds => Convolution ? (double)Side * Side * K * N * 9 : (double)M * K * N;
    }

    // SDXL at 512²: 64² latents; attention (and its linear layers) at 32² (640 wide) and 16² (1280 wide).
    static readonly Kernel[] Kernels =
    [
        new("linear 1024 x 640 -> 640", false, 1024, 640, 640, 0),
        new("linear 1024 x 640 -> 5120 (GEGLU)", false, 1024, 640, 5120, 0),
        new("linear 256 x 1280 -> 10240 (GEGLU)", false, 256, 1280, 10240, 0),
        new("conv 3x3 320 -> 320 at 64x64", true, 0, 320, 320, 64),
        new("conv 3x3 640 -> 640 at 32x32", true, 0, 640, 640, 32),
        new("conv 3x3 1280 -> 1280 at 16x16", true, 0, 1280, 1280, 16),
    ];

    public static void Run(int runs)
    {
        Console.WriteLine($"Kernel time per precision (ORT {OrtEnv.Instance().GetVersionString()} CPU provider, {Environment.ProcessorCount} threads; median of {runs} runs after 3 warm-ups; ratio to fp32)");
        Console.WriteLine("  kernel                                   fp32 ms  GMAC/s   dynamic int8     static int8      fp16");
        var sums = new Dictionary<(bool, Precision), double>();
        foreach (var kernel in Kernels)
        {
            double fp32 = Time(kernel, Precision.Float32, runs);
            string Cell(Precision p)
            {
                double ms;
                try { ms = Time(kernel, p, runs); }
                catch (OnnxRuntimeException) { return $"{"no CPU kernel",-16}"; }
                sums[(kernel.Convolution, p)] = sums.GetValueOrDefault((kernel.Convolution, p)) + ms;
                return $"{ms,7:F1} {ms / fp32,5:F2}x   ";
            }
            sums[(kernel.Convolution, Precision.Float32)] = sums.GetValueOrDefault((kernel.Convolution, Precision.Float32)) + fp32;
            Console.WriteLine($"  {kernel.Name,-38} {fp32,8:F1}  {kernel.MultiplyAdds / fp32 / 1e6,6:F1}   {Cell(Precision.DynamicInt8)} {Cell(Precision.StaticInt8)} {Cell(Precision.Float16)}");
        }
        foreach (bool convolution in new[] { false, true })
        {
            string Ratio(Precision p) => sums.TryGetValue((convolution, p), out double ms) ? $"{ms / sums[(convolution, Precision.Float32)]:F2}x" : "n/a";
            Console.WriteLine($"  all {(convolution ? "convolutions" : "linear layers"),-14} summed: dynamic int8 {Ratio(Precision.DynamicInt8)}, static int8 {Ratio(Precision.StaticInt8)}, fp16 {Ratio(Precision.Float16)}");
        }
    }

    static double Time(Kernel kernel, Precision precision, int runs)
    {
        var model = Build(kernel, precision);
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(model.ToByteArray(), options);
        var random = new Random(7);
        long[] shape = kernel.Convolution ? [1, kernel.K, kernel.Side, kernel.Side] : [kernel.M, kernel.K];
        var input = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < input.Length; i++) input[i] = (float)(random.NextDouble() * 2 - 1);
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var runOptions = new RunOptions();
        var inputs = new Dictionary<string, OrtValue> { ["x"] = value };
        for (int i = 0; i < 3; i++) session.Run(runOptions, inputs, session.OutputNames).Dispose();
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            session.Run(runOptions, inputs, session.OutputNames).Dispose();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times[runs / 2];
    }

    /// <summary>The kernel's graph: float x in, float y out, random weights; quantised weights are symmetric int8 and
    /// fixed activation scales cover the inputs' range (the values do not change the kernels' time).</summary>
    static Onnx.Proto.ModelProto Build(Kernel kernel, Precision precision)
    {
        var b = new OnnxGraphBuilder("kernel");
        var random = new Random(11);
        long[] weightDims = kernel.Convolution ? [kernel.N, kernel.K, 3, 3] : [kernel.K, kernel.N];
        var weights = new float[weightDims.Aggregate(1L, (a, c) => a * c)];
        for (int i = 0; i < weights.Length; i++) weights[i] = (float)((random.NextDouble() * 2 - 1) * 0.05);
        b.AddInput("x", OnnxDataType.Float, kernel.Convolution ? [1L, kernel.K, kernel.Side, kernel.Side] : [(long)kernel.M, kernel.K]);
        Onnx.Proto.AttributeProto[] convAttributes = kernel.Convolution ? [OnnxAttribute.Ints("pads", 1, 1, 1, 1), OnnxAttribute.Ints("kernel_shape", 3, 3)] : [];
        const float weightScale = 0.05f / 127;
        sbyte[] Int8Weights() => weights.Select(w => (sbyte)Math.Clamp(MathF.Round(w / weightScale), -127, 127)).ToArray();
        string y;
        switch (precision)
        {
            case Precision.Float32:
                b.AddInitializer("w", weightDims, weights);
                y = b.Op(kernel.Convolution ? "Conv" : "MatMul", "kernel", ["x", "w"], convAttributes);
                break;
            case Precision.Float16:
                b.AddInitializer("w", weightDims, weights.Select(w => (Half)w).ToArray());
                string half = b.Op("Cast", "to_half", ["x"], OnnxAttribute.Int("to", (long)OnnxDataType.Float16));
                string product = b.Op(kernel.Convolution ? "Conv" : "MatMul", "kernel", [half, "w"], convAttributes);
                y = b.Op("Cast", "to_float", [product], OnnxAttribute.Int("to", (long)OnnxDataType.Float));
                break;
            case Precision.DynamicInt8:
            {
                // ConvInteger takes uint8 weights only: int8 codes shifted by a zero point of 128.
                if (kernel.Convolution) b.AddInitializer("w", OnnxDataType.UInt8, weightDims, MemoryMarshal.AsBytes(Int8Weights().Select(q => (byte)(q + 128)).ToArray().AsSpan()));
                else b.AddInitializer("w", OnnxDataType.Int8, weightDims, MemoryMarshal.AsBytes(Int8Weights().AsSpan()));
                b.AddInitializer("w_zero", kernel.Convolution ? OnnxDataType.UInt8 : OnnxDataType.Int8, [], [kernel.Convolution ? (byte)128 : (byte)0]);
                var quantize = b.AddNode("DynamicQuantizeLinear", ["x"], ["xq", "x_scale", "x_zero"], "quantize");
                string integer = b.Op(kernel.Convolution ? "ConvInteger" : "MatMulInteger", "kernel", ["xq", "w", "x_zero", "w_zero"], convAttributes);
                string asFloat = b.Op("Cast", "to_float", [integer], OnnxAttribute.Int("to", (long)OnnxDataType.Float));
                string scale = b.Op("Mul", "scales", ["x_scale", b.FloatScalar("w_scale", weightScale)]);
                y = b.Op("Mul", "dequantize", [asFloat, scale]);
                break;
            }
            default:
            {
                b.AddInitializer("w", OnnxDataType.Int8, weightDims, MemoryMarshal.AsBytes(Int8Weights().AsSpan()));
                b.AddInitializer("w_zero", OnnxDataType.Int8, [], [0]);
                b.AddInitializer("x_zero", OnnxDataType.UInt8, [], [128]);
                b.AddInitializer("y_zero", OnnxDataType.UInt8, [], [128]);
                string xScale = b.FloatScalar("x_scale", 2f / 255), wScale = b.FloatScalar("w_scale", weightScale);
                string yScale = b.FloatScalar("y_scale", (float)(2 * 0.05 * Math.Sqrt(kernel.K * (kernel.Convolution ? 9 : 1)) / 127));
                string xq = b.Op("QuantizeLinear", "quantize", ["x", xScale, "x_zero"]);
                string yq = b.Op(kernel.Convolution ? "QLinearConv" : "QLinearMatMul", "kernel", [xq, xScale, "x_zero", "w", wScale, "w_zero", yScale, "y_zero"], convAttributes);
                y = b.Op("DequantizeLinear", "dequantize", [yq, yScale, "y_zero"]);
                break;
            }
        }
        b.AddNode("Identity", [y], ["y"], "output");
        b.AddOutput("y", OnnxDataType.Float, kernel.Convolution ? [1L, kernel.N, kernel.Side, kernel.Side] : [(long)kernel.M, kernel.N]);
        return b.Model;
    }
}
