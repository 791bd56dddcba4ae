using NanoBanana.Engine.Tests.Synthetic;
using NanoBanana.Models;
using NanoBanana.Onnx;
using NanoBanana.Optimization;
using NanoBanana.Runtime;

namespace NanoBanana.Engine.Tests.Runtime;

/// <summary>The planner's weight bytes per device: fp16 weights of standard operators count three times on the CPU
/// (the mapped file and the fp32 copy ONNX Runtime casts them to), their file bytes on CUDA.</summary>
public sealed class MemoryPlannerTests(SyntheticModels models) : IClassFixture<SyntheticModels>, IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("nb-planner-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Fp16_weights_count_three_times_on_the_cpu_and_once_on_cuda()
    {
        var model = DiffusionModel.Open(models.XlHalfLegacy);
        var unet = model[DiffusionModel.Unet];
        // Everything but a few int64 shape constants is fp16 in this export.
        Assert.InRange(unet.HalfWeightBytes, unet.WeightBytes * 9 / 10, unet.WeightBytes);
        Assert.Equal(unet.WeightBytes + 2 * unet.HalfWeightBytes, MemoryPlanner.Describe(model, ExecutionDevice.Cpu).UnetBytes);
        Assert.Equal(unet.WeightBytes, MemoryPlanner.Describe(model, ExecutionDevice.Cuda).UnetBytes);

        var fp32 = DiffusionModel.Open(models.Xl);
        Assert.Equal(0, fp32[DiffusionModel.Unet].HalfWeightBytes);
        Assert.Equal(MemoryPlanner.Describe(fp32, ExecutionDevice.Cuda).UnetBytes, MemoryPlanner.Describe(fp32, ExecutionDevice.Cpu).UnetBytes);
    }

    [Fact]
    public void A_quantised_fp16_model_counts_only_the_weights_standard_operators_read()
    {
        string int4 = ModelOptimizer.Optimize(models.XlHalfLegacy, Path.Combine(_dir, "int4"), new(WeightBits.Int4)).Destination;
        var unet = DiffusionModel.Open(int4)[DiffusionModel.Unet];
        var graph = OnnxModelFile.Load(unet.Path).Graph;
        var readByMatMulNBits = graph.Node.Where(n => n.OpType == ModelQuantizer.OpType).SelectMany(n => n.Input).ToHashSet();
        long convolutions = graph.Initializer.Where(t => t.DataType == (int)OnnxDataType.Float16 && !readByMatMulNBits.Contains(t.Name))
            .Sum(t => InitializerInfo.From(t, unet.Path).ByteLength);
        // What MatMulNBits reads (codes, and scales in the activations' type) is its own; the convolutions' fp16
        // weights are cast up, and only they still count.
        Assert.True(convolutions > 0);
        Assert.Equal(convolutions, unet.HalfWeightBytes);
        Assert.True(unet.HalfWeightBytes < DiffusionModel.Open(models.XlHalfLegacy)[DiffusionModel.Unet].HalfWeightBytes);
    }
}
