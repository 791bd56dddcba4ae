using NanoBanana.Imaging;

namespace NanoBanana.Engine.Tests.Imaging;

public sealed class AtomicFileWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nb-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void WritesCreatesFoldersAndRefusesToOverwriteWithoutPermission()
    {
        string path = Path.Combine(_dir, "a", "b", "file.bin");
        AtomicFileWriter.Write(path, new byte[] { 1, 2, 3 }, overwrite: false);
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));

        var error = Assert.Throws<OutputExistsException>(() => AtomicFileWriter.Write(path, new byte[] { 9 }, overwrite: false));
        Assert.Contains("-Force", error.Message);
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));

        AtomicFileWriter.Write(path, new byte[] { 9 }, overwrite: true);
        Assert.Equal(new byte[] { 9 }, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void AnUnwritableLocationLeavesNothingBehind()
    {
        string blocker = Path.Combine(_dir, "blocker");
        File.WriteAllText(blocker, "a file where a folder should be");

        var error = Assert.Throws<OutputNotWritableException>(() => AtomicFileWriter.Write(Path.Combine(blocker, "x.png"), new byte[] { 1 }, overwrite: false));

        Assert.Contains("blocker", error.Message);
        Assert.Equal(new[] { blocker }, Directory.GetFileSystemEntries(_dir));
    }
}
