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

    /// <summary>A card computes an fp16 graph in fp16, so its activations take half the bytes; ORT's CPU provider casts
    /// them up to fp32, and an fp32 graph is fp32 everywhere.</summary>
    [Fact]
    public void Fp16_activations_count_half_on_cuda_and_in_fp32_on_the_cpu()
    {
        var half = DiffusionModel.Open(models.XlHalfLegacy);
        var (cpu, cuda) = (MemoryPlanner.Describe(half, ExecutionDevice.Cpu), MemoryPlanner.Describe(half, ExecutionDevice.Cuda));
        Assert.Equal((4, 4, 2, 2), (cpu.UnetElementBytes, cpu.VaeElementBytes, cuda.UnetElementBytes, cuda.VaeElementBytes));
        Assert.Equal(MemoryPlanner.UnetActivationBytes(cpu, 1024, 1024, 1), 2 * MemoryPlanner.UnetActivationBytes(cuda, 1024, 1024, 1));
        Assert.Equal(MemoryPlanner.VaeActivationBytes(cpu, 1024, 1024, 512), 2 * MemoryPlanner.VaeActivationBytes(cuda, 1024, 1024, 512));

        var fp32 = DiffusionModel.Open(models.Xl);
        Assert.Equal(4, MemoryPlanner.Describe(fp32, ExecutionDevice.Cuda).UnetElementBytes);
        Assert.Equal(4, MemoryPlanner.Describe(fp32, ExecutionDevice.Cuda).VaeElementBytes);
    }

    /// <summary>The VAE term: the full-resolution maps (eleven of the decoder's top width, the envelope measured on full-size
    /// SDXL's decoder) or the mid block's three tokens² attention tensors, whichever is larger, per tile when tiled.</summary>
    [Fact]
    public void The_vae_term_is_the_larger_of_the_full_resolution_maps_and_the_attention_per_tile()
    {
        var shape = new MemoryPlanner.ModelShape("test", 0, 0, 0, [320, 640, 1280], [5, 10, 20], [false, true, true], 128);
        Assert.Equal(11L * 128 * 512 * 512 * 4, MemoryPlanner.VaeActivationBytes(shape, 512, 512, null));
        Assert.Equal(11L * 128 * 512 * 512 * 4, MemoryPlanner.VaeActivationBytes(shape, 1024, 1536, 512));
        // At 2048² the attention over 65,536 latent positions outgrows the maps.
        Assert.Equal(3L * 65536 * 65536 * 4, MemoryPlanner.VaeActivationBytes(shape, 2048, 2048, null));
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
