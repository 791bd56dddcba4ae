using NanoBanana.Catalogue;
using NanoBanana.Engine.Tests.Pipeline;
using NanoBanana.Imaging;
using NanoBanana.Pipeline;
using NanoBanana.Runtime;

namespace NanoBanana.Engine.Tests.Catalogue;

/// <summary>The catalogue path: <see cref="NanoBananaEngine.Prepare"/> then <see cref="NanoBananaEngine.Render(RenderJob, OutputTarget, IProgress{DenoiseProgress}?, CancellationToken)"/>.</summary>
public sealed class RenderJobTests(TinyModels models) : IClassFixture<TinyModels>, IDisposable
{
    readonly string _output = Directory.CreateTempSubdirectory("nb-jobs-").FullName;

    OutputTarget Folder => new(null, _output, overwrite: false);

    /// <summary>An engine whose session names <paramref name="model"/>, as Open-NanoBananaSession -ModelPath makes it.</summary>
    static NanoBananaEngine EngineOn(string model)
    {
        var engine = new NanoBananaEngine();
        engine.OpenSession(new NanoBanana.Runtime.EngineSessionOptions { ModelPath = model });
        return engine;
    }

    static RenderRow Row(string? name, long seed) => new()
    {
        Name = name, Prompt = "hello world", Seed = seed.ToString(), Steps = "2", Width = "64", Height = "64", ModelPath = null,
    };

    [Fact]
    public void Rows_render_into_named_files_with_their_parameters_and_load_each_onnx_file_once()
    {
        using var engine = EngineOn(models.Xl);
        var jobs = new[] { Row("Drone", 1), Row("Lamp", 2), Row(null, 3) }.Select(r => engine.Prepare(r, Folder)).ToList();

        Assert.Equal(["Drone.png", "Lamp.png", "render-3.png"], jobs.Select(j => Path.GetFileName(j.OutputPath!)));
        Assert.Empty(engine.LoadCounts(models.Xl)); // preparing loads nothing
        foreach (var job in jobs) engine.Render(job, Folder);

        Assert.Equal(["Drone.png", "Lamp.png", "render-3.png"], Directory.GetFiles(_output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var lamp = ImageCodec.Read(Path.Combine(_output, "Lamp.png")).Parameters;
        Assert.Equal((2L, 2, "tiny-sdxl"), (lamp.Seed!.Value, lamp.Steps!.Value, lamp.Model));
        Assert.Contains(lamp.Extra, e => e.Key == "Style" && e.Value == "ExplodedView");
        Assert.Equal("render-3", jobs[2].Name);
        var counts = engine.LoadCounts(models.Xl);
        Assert.Equal(4, counts.Count);
        Assert.All(counts.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public void Unwritable_or_existing_outputs_fail_before_the_model_is_even_opened()
    {
        using var engine = EngineOn(models.Xl);
        File.WriteAllText(Path.Combine(_output, "Drone.png"), "taken");
        Assert.Throws<OutputExistsException>(() => engine.Render(engine.Prepare(Row("Drone", 1), Folder), Folder));

        string blocked = Path.Combine(_output, "blocked");
        File.WriteAllText(blocked, "a file, not a folder");
        var blockedFolder = new OutputTarget(null, blocked, overwrite: false);
        Assert.Throws<OutputNotWritableException>(() => engine.Render(engine.Prepare(Row("Lamp", 1), blockedFolder), blockedFolder));

        Assert.Empty(engine.LoadCounts(models.Xl));
        Assert.Equal(["Drone.png", "blocked"], Directory.GetFiles(_output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_cancelled_render_writes_nothing_and_the_engine_renders_the_row_afterwards()
    {
        using var engine = new NanoBananaEngine();
        var job = engine.Prepare(Row("Drone", 1) with { Steps = "5", ModelPath = models.Xl }, Folder);
        using var cts = new CancellationTokenSource();
        var cancelAfterFirstStep = new CallbackProgress(p => { if (p.Step == 1) cts.Cancel(); });

        Assert.ThrowsAny<OperationCanceledException>(() => engine.Render(job, Folder, cancelAfterFirstStep, cts.Token));
        Assert.Empty(Directory.GetFiles(_output));

        engine.Render(job, Folder);
        Assert.Equal(["Drone.png"], Directory.GetFiles(_output).Select(Path.GetFileName));
        Assert.Equal(1, engine.LoadCounts(models.Xl)[Path.Combine("unet", "model.onnx")]);
    }

    [Fact]
    public void An_out_file_is_used_as_given_and_no_output_keeps_the_image_in_memory()
    {
        using var engine = EngineOn(models.Xl);
        string file = Path.Combine(_output, "sub", "chosen.png");
        Assert.Equal(file, engine.Prepare(Row("Drone", 1), new OutputTarget(file, null, overwrite: false)).OutputPath);
        var inMemory = engine.Prepare(Row("Drone", 1));
        Assert.Null(inMemory.OutputPath);
        Assert.Equal(64, engine.Render(inMemory, OutputTarget.InMemory).Width);
        Assert.Empty(Directory.GetFileSystemEntries(_output));
    }

    sealed class CallbackProgress(Action<DenoiseProgress> report) : IProgress<DenoiseProgress>
    {
        public void Report(DenoiseProgress value) => report(value);
    }

    public void Dispose()
    {
        try { Directory.Delete(_output, recursive: true); } catch (IOException) { }
    }
}
