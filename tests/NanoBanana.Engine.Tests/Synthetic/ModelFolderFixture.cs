using NanoBanana.Synthetic;

namespace NanoBanana.Engine.Tests.Synthetic;

/// <summary>Forge folders written once per test class under one temporary root, removed afterwards.</summary>
public abstract class ModelFolderFixture : IDisposable
{
    protected ModelFolderFixture(string prefix) => Root = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"));

    public string Root { get; }

    protected string Build(string name, SyntheticModelOptions options) => SyntheticModelBuilder.Create(Path.Combine(Root, name), options).Folder;

    /// <summary>A private copy of <paramref name="folder"/> under <see cref="Root"/>, to break or edit.</summary>
    public string Copy(string folder, string name)
    {
        string target = Path.Combine(Root, name);
        foreach (string file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories))
        {
            string to = Path.Combine(target, Path.GetRelativePath(folder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to, overwrite: true);
        }
        return target;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}
