
namespace NanoBanana.Engine.Tests.Engine;

public class ModelPathResolutionTests
{
    [Fact]
    public void Explicit_beats_the_session_default_which_beats_the_environment()
    {
        string a = Path.GetFullPath("a"), b = Path.GetFullPath("b"), c = Path.GetFullPath("c");
        Assert.Equal(a, ModelPathResolution.Resolve("a", "b", "c"));
        Assert.Equal(b, ModelPathResolution.Resolve(null, "b", "c"));
        Assert.Equal(b, ModelPathResolution.Resolve("  ", "b", "c")); // an empty CSV cell is "not given"
        Assert.Equal(c, ModelPathResolution.Resolve(null, "", "c"));
    }

    [Fact]
    public void With_nothing_set_the_error_says_how_to_set_a_model()
    {
        var e = Assert.Throws<ModelPathNotSetException>(() => ModelPathResolution.Resolve(null, " ", null));
        Assert.Contains("-ModelPath", e.Message);
        Assert.Contains("NANOBANANA_MODEL", e.Message);
    }
}
