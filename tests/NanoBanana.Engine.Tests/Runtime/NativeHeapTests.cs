using NanoBanana.Runtime;

namespace NanoBanana.Engine.Tests.Runtime;

public class NativeHeapTests
{
    [Fact]
    public void Glibc_takes_the_fixed_mmap_threshold_and_other_systems_keep_theirs()
    {
        // glibc's mallopt returns 1 when it accepts the parameter; elsewhere nothing is changed.
        Assert.Equal(OperatingSystem.IsLinux() && !File.Exists("/etc/alpine-release"), NativeHeap.EnsureLargeBlocksAreMapped());
    }
}
