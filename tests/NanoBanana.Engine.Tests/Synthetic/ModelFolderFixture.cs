using NanoBanana.Synthetic;

namespace NanoBanana.Engine.Tests.Synthetic;

/// <summary>Forge folders written once per test class under one temporary root, removed afterwards.</summary>
public abstract class ModelFolderFixture : IDisposable
{
    protected ModelFolderFixture(string prefix) => Root = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"));

    public string Root { get; }

    protected string Build(string name, SyntheticModelOptions options) => SyntheticModelBuilder.Create(Path.Combine(Root, name), options).Folder;

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }
}
