using NanoBanana.Imaging;

namespace NanoBanana.Engine.Tests.Imaging;

public class OutputFileNameTests
{
    [Theory]
    [InlineData("AeroDrone X4", "AeroDrone X4")]
    [InlineData("../../etc/passwd", "_._etc_passwd")]
    [InlineData("..\\..\\Windows\\win.ini", "_._Windows_win.ini")]
    [InlineData("/absolute/path", "_absolute_path")]
    [InlineData("C:\\temp\\x", "C__temp_x")]
    [InlineData("a<b>c:d\"e|f?g*h", "a_b_c_d_e_f_g_h")]
    [InlineData("line\nbreak\ttab", "line_break_tab")]
    [InlineData("  trailing dots...  ", "trailing dots")]
    [InlineData("", "render")]
    [InlineData("...", "render")]
    [InlineData("CON", "_CON")]
    [InlineData("nul.txt", "_nul.txt")]
    public void SanitizeKeepsNamesReadableAndSafe(string input, string expected) =>
        Assert.Equal(expected, OutputFileName.Sanitize(input));

    [Fact]
    public void LongNamesAreShortened() =>
        Assert.Equal(OutputFileName.MaxBytes, OutputFileName.Sanitize(new string('x', 500)).Length);

    [Theory]
    [InlineData("../escape")]
    [InlineData("/etc/cron.d/job")]
    [InlineData("..")]
    [InlineData("sub/../../x")]
    public void NoNameLeavesTheOutputDirectory(string name)
    {
        string dir = Path.Combine(Path.GetTempPath(), "nb-out");
        string path = OutputFileName.InDirectory(dir, name);
        Assert.Equal(Path.GetFullPath(dir), Path.GetDirectoryName(path));
        Assert.EndsWith(".png", path);
    }
}
