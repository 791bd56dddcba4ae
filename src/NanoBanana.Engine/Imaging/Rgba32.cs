using System.Runtime.InteropServices;

namespace NanoBanana.Imaging;

/// <summary>One 8-bit RGBA pixel, laid out as the bytes of <see cref="RgbaImage.Pixels"/> are, so a row of bytes can
/// be viewed as a row of pixels without copying.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct Rgba32(byte r, byte g, byte b, byte a)
{
    public byte R = r;
    public byte G = g;
    public byte B = b;
    public byte A = a;
}
