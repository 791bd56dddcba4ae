using System.Runtime.InteropServices;

namespace NanoBanana.Runtime;

/// <summary>
/// The C heap's policy for large blocks. Without ONNX Runtime's CPU arena, weights and activations come from
/// malloc. glibc serves a block above its mmap threshold with its own mapping and unmaps it on free, but after
/// such a free it raises the threshold (up to 32 MiB), so later weight buffers land in the heap, where freed space
/// is seldom returned to the system: streaming UNet segments then grows the process by every segment it drops.
/// A fixed threshold keeps large buffers as mappings that go back on free. Measured on the full SDXL UNet
/// (fp32, Balanced, 4,800 MiB budget, 1024²): peak 7,356 MiB with glibc's default, 4,496 MiB with this.
/// </summary>
public static partial class NativeHeap
{
    /// <summary>Blocks from this size up are mapped on their own and returned to the system when freed.</summary>
    public const int MmapThresholdBytes = 1 << 20;

    const int M_MMAP_THRESHOLD = -3; // glibc's mallopt parameter (malloc.h)

    static readonly Lazy<bool> Applied = new(Apply);

    /// <summary>Sets the threshold once per process; true when the C library took it (glibc on Linux).</summary>
    public static bool EnsureLargeBlocksAreMapped() => Applied.Value;

    static bool Apply()
    {
        if (!OperatingSystem.IsLinux()) return false; // Windows' heap and macOS' allocator release large blocks already
        try
        {
            return mallopt(M_MMAP_THRESHOLD, MmapThresholdBytes) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // a C library without mallopt keeps its own policy
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int mallopt(int param, int value);
}
