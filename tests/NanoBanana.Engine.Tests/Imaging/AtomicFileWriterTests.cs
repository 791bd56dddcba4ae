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

    [Fact]
    public void A_temporary_file_left_under_this_process_name_is_replaced_and_removed_by_the_next_write()
    {
        string path = Path.Combine(_dir, "render.png");
        string leftover = AtomicFileWriter.TemporaryPath(path, Environment.MachineName, Environment.ProcessId);
        File.WriteAllText(leftover, "a longer half-written image from a killed process with this host and id");

        AtomicFileWriter.Write(path, new byte[] { 7 }, overwrite: false);

        Assert.Equal(new byte[] { 7 }, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void Temporary_names_stay_short_and_differ_per_host_and_process()
    {
        string path = Path.Combine(_dir, new string('n', 200) + ".png");
        string[] names = [AtomicFileWriter.TemporaryPath(path, "a-very-long-kubernetes-pod-name-0123456789-abcdefghij-klmnopqrstu", 4194304),
            AtomicFileWriter.TemporaryPath(path, "node1", 7), AtomicFileWriter.TemporaryPath(path, "node2", 7), AtomicFileWriter.TemporaryPath(path, "node1", 8)];
        Assert.Equal(4, names.Distinct().Count());
        Assert.All(names, n => Assert.True(System.Text.Encoding.UTF8.GetByteCount(Path.GetFileName(n)) <= 255, n));
        Assert.All(names, n => Assert.Equal(_dir, Path.GetDirectoryName(n)));
    }
}
