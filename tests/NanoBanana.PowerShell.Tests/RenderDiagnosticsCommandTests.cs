using System.Runtime.InteropServices;
using System.Security.Cryptography;
using NanoBanana.PowerShell.Tests.Hosting;

namespace NanoBanana.PowerShell.Tests;

public sealed class RenderDiagnosticsCommandTests(TinyModelFolders models) : IClassFixture<TinyModelFolders>
{
    private static uint[] Bits(IEnumerable<float> values) => values.Select(BitConverter.SingleToUInt32Bits).ToArray();

    private static string Sha256(float[] values) => Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(values.AsSpan())));

    // torch 1.13.1: torch.randn(shape, generator=torch.Generator("cpu").manual_seed(42)), pinned in the engine's
    // TorchRandomTests (first and last 16 values as float bits, SHA-256 of all values).
    private static readonly uint[] Seed42First16 = [0x3FF6A529, 0x3FBE5F53, 0x3F669567, 0xC006C0DB, 0x3F2DACD5, 0xBF9E0591, 0xBD306786, 0xBFCD65BA, 0xBF408BF0, 0x3FD3095B, 0xBEC8F2F6, 0xBFB3A966, 0xBF3A566E, 0xBF0F36D1, 0xBF44D2A0, 0x3F432F9F];
    private static readonly uint[] Seed42Last16Of1x4x64x64 = [0x3F9EE61F, 0xBFB7512E, 0xBF0AC927, 0x3E627327, 0xBFA7BBF1, 0xBF4CD3A0, 0x3F88D478, 0x3FC6DF04, 0x3FFDF5E6, 0xBF0DE3E6, 0x3EDBB796, 0x3D927FDC, 0xBF4FA71F, 0xBF22C08B, 0x3F790A0F, 0xBE963953];
    private const string Seed42Sha1x4x64x64 = "e97f3de04c7c6ba86354db4402b91d4402ede9c72aabed29a96dd7d635a798ba";
    private const string Seed42Sha2x4x8x8 = "82cce5ef58f63e49f105eec3ac633929f0ccfed0af3d80fb9f863b35b8f996b8";

    [Fact]
    public void RenderNoiseForSeed42IsTorchsRandnBitForBit()
    {
        using var ps = new PowerShellSession();

        var noise = ps.Run("Get-RenderNoise -Seed 42 -Width 512 -Height 512").AssertSuccess().Output.Single();
        var values = (float[])noise.Properties["Values"].Value;
        Assert.Equal("NanoBanana.RenderNoise", noise.BaseObject.GetType().FullName);
        Assert.Equal(42L, noise.Properties["Seed"].Value);
        Assert.Equal([1, 4, 64, 64], (int[])noise.Properties["Shape"].Value);
        Assert.Equal(Seed42First16, Bits(values.Take(16)));
        Assert.Equal(Seed42Last16Of1x4x64x64, Bits(values.TakeLast(16)));
        Assert.Equal(Seed42Sha1x4x64x64, Sha256(values));

        var batch = ps.Run("Get-RenderNoise 42 -Width 64 -Height 64 -BatchSize 2").AssertSuccess().Output.Single();
        Assert.Equal([2, 4, 8, 8], (int[])batch.Properties["Shape"].Value);
        Assert.Equal(Seed42Sha2x4x8x8, Sha256((float[])batch.Properties["Values"].Value));
    }

    [Fact]
    public void RenderNoiseBindsARendersSeedAndSizeByPropertyName()
    {
        using var ps = new PowerShellSession();

        var noise = ps.Run("""
            [pscustomobject]@{ Name = 'x'; Description = 'x'; Seed = '42'; Width = '64'; Height = '64'; Steps = '1' } |
                New-ExplodedView -ModelPath $m | Get-RenderNoise
            """, new Dictionary<string, object?> { ["m"] = models.Xl }).AssertSuccess().Output.Single();

        Assert.Equal([1, 4, 8, 8], (int[])noise.Properties["Shape"].Value);
        Assert.Equal(Seed42First16, Bits(((float[])noise.Properties["Values"].Value).Take(16)));
    }

    [Fact]
    public void SchedulerTimestepsComeFromAConfigFileOrAModelFolder()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("scheduler_config.json"),
            """{"_class_name":"EulerDiscreteScheduler","num_train_timesteps":1000,"beta_start":0.00085,"beta_end":0.012,"beta_schedule":"scaled_linear","prediction_type":"epsilon","timestep_spacing":"leading","steps_offset":1}""");
        using var ps = new PowerShellSession(dir.Path);

        var euler = ps.Run("Get-SchedulerTimestep -ConfigPath scheduler_config.json -Steps 4").AssertSuccess().Output.Single();
        Assert.Equal("NanoBanana.SchedulerSchedule", euler.BaseObject.GetType().FullName);
        Assert.Equal("Euler", euler.Properties["Scheduler"].Value);
        Assert.Equal(4, euler.Properties["Steps"].Value);
        // diffusers EulerDiscreteScheduler, leading spacing, steps_offset 1: arange(0, 4) * 250 + 1, reversed.
        Assert.Equal([751f, 501, 251, 1], (float[])euler.Properties["Timesteps"].Value);
        var sigmas = (float[])euler.Properties["Sigmas"].Value;
        Assert.Equal(5, sigmas.Length);
        Assert.Equal(0f, sigmas[^1]);
        Assert.True(sigmas.Zip(sigmas.Skip(1)).All(p => p.First > p.Second), "sigmas fall step by step");

        var karras = ps.Run("Get-SchedulerTimestep -ConfigPath scheduler_config.json -Scheduler DpmPlusPlus2MKarras -Steps 4").AssertSuccess().Output.Single();
        Assert.Equal("DPM++ 2M Karras", karras.Properties["Scheduler"].Value);

        var fromModel = ps.Run("Get-SchedulerTimestep -ModelPath $m -Steps 4", new Dictionary<string, object?> { ["m"] = models.Xl }).AssertSuccess().Output.Single();
        Assert.Equal((float[])euler.Properties["Timesteps"].Value, (float[])fromModel.Properties["Timesteps"].Value);
        Assert.Equal(sigmas, (float[])fromModel.Properties["Sigmas"].Value);

        var unknown = Assert.Single(ps.Run("Get-SchedulerTimestep -ConfigPath scheduler_config.json -Scheduler Heun").Errors);
        Assert.StartsWith("InvalidArgument,", unknown.FullyQualifiedErrorId);
        Assert.Contains("DpmPlusPlus2MKarras", unknown.ToString());

        var missing = Assert.Single(ps.Run("Get-SchedulerTimestep -ConfigPath nothing.json").Errors);
        Assert.StartsWith("ModelNotFound,", missing.FullyQualifiedErrorId);
    }
}
