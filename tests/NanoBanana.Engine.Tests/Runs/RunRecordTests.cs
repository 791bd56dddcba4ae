using NanoBanana.Imaging;
using NanoBanana.Catalogue;
using NanoBanana.Runs;

namespace NanoBanana.Engine.Tests.Runs;

public sealed class RunRecordTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("nb-run-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string RecordFolder => Path.Combine(_dir, "out", RenderRun.DefaultFolderName);

    [Fact]
    public void Two_writers_appending_to_one_file_at_once_leave_every_line_whole()
    {
        string path = Path.Combine(RecordFolder, "shared.jsonl");
        string longError = new('x', 3000); // lines longer than a pipe buffer still land whole
        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
            RunRecordFile.Append(path, Entry($"row-{i}", RunStatus.Failed) with { Error = longError }));

        var history = RunHistory.Read(RecordFolder);
        Assert.Equal(400, history.Entries.Count);
        Assert.Equal(Enumerable.Range(0, 400).Select(i => $"row-{i}").Order(), history.Entries.Select(e => e.Key).Order());
        Assert.All(history.Entries, e => Assert.Equal(longError, e.Error));
    }

    [Fact]
    public void A_torn_last_line_is_ignored_and_a_damaged_middle_line_is_an_error_naming_the_file_and_line()
    {
        string path = Path.Combine(RecordFolder, "w.jsonl");
        RunRecordFile.Append(path, Entry("drone", RunStatus.Done));
        File.AppendAllText(path, """{"key":"lamp","stage":"ren""");
        var history = RunHistory.Read(RecordFolder);
        Assert.Equal(["drone"], history.Entries.Select(e => e.Key));
        Assert.Equal(1, history.TornLines);

        File.AppendAllText(path, "\n" + File.ReadAllLines(path)[0] + "\n");
        var e = Assert.Throws<RunRecordException>(() => RunHistory.Read(RecordFolder));
        Assert.StartsWith($"The run record '{path}' line 2 is not a record", e.Message);
    }

    [Fact]
    public void Starting_a_row_again_removes_the_temporary_file_a_stopped_worker_left_for_it_and_nothing_else()
    {
        string output = Path.Combine(_dir, "out", "drone.png");
        // node7/4242 was killed writing drone.png; node7/99 finished it once earlier; node8/5 is not in the record.
        RunRecordFile.Append(Path.Combine(RecordFolder, "w1.jsonl"), Entry("drone", RunStatus.Started) with { Host = "node7", Pid = 99, Worker = "w1", Output = output });
        RunRecordFile.Append(Path.Combine(RecordFolder, "w1.jsonl"), Entry("drone", RunStatus.Done) with { Host = "node7", Pid = 99, Worker = "w1", Output = output });
        RunRecordFile.Append(Path.Combine(RecordFolder, "w2.jsonl"), Entry("drone", RunStatus.Started) with { Host = "node7", Pid = 4242, Worker = "w2", Output = output });
        string killed = AtomicFileWriter.TemporaryPath(output, "node7", 4242);
        string finished = AtomicFileWriter.TemporaryPath(output, "node7", 99);
        string unknown = AtomicFileWriter.TemporaryPath(output, "node8", 5);
        foreach (string file in new[] { killed, finished, unknown }) File.WriteAllText(file, "half a png");

        var run = new RenderRun(RecordFolder);
        Assert.Equal([4242], run.History.Unfinished("drone", RunStage.Render).Select(e => e.Pid));
        run.Start("drone", RunStage.Render, "hash", output).Done();

        Assert.False(File.Exists(killed));
        Assert.True(File.Exists(finished) && File.Exists(unknown)); // only what the record says was stopped mid-write
    }

    [Fact]
    public void A_row_without_a_seed_keeps_its_hash_whatever_seed_each_render_draws()
    {
        string model = Directory.CreateDirectory(Path.Combine(_dir, "model")).FullName;
        File.WriteAllText(Path.Combine(model, "model_index.json"), "{}");
        var row = new RenderRow { Index = 1, Name = "lamp", Prompt = "a lamp", Steps = "2", Width = "64", Height = "64" };
        var run = new RenderRun(RecordFolder);
        RenderJob Drawn(RenderRow r) => new(r, r.ToRequest(), model, Path.Combine(_dir, "lamp.png"));
        var (first, second) = (Drawn(row), Drawn(row));
        Assert.NotEqual(first.Seed, second.Seed);
        Assert.Equal(Hash(run, first), Hash(run, second));
        Assert.NotEqual(Hash(run, first), Hash(run, Drawn(row with { Seed = first.Seed.ToString() })));
    }

    [Fact]
    public void Changing_one_rows_prompt_invalidates_only_that_row_on_resume()
    {
        string model = Directory.CreateDirectory(Path.Combine(_dir, "model")).FullName;
        File.WriteAllText(Path.Combine(model, "model_index.json"), "{}");
        string outDir = Path.Combine(_dir, "out");
        var rows = Enumerable.Range(1, 6).Select(i => new RenderRow { Index = i, Name = $"product {i}", Prompt = $"prompt {i}", Seed = $"{i}", Steps = "2", Width = "64", Height = "64" }).ToArray();

        var first = new RenderRun(RecordFolder, new Shard(0, 1));
        foreach (var row in rows)
        {
            var job = Job(row, model, outDir);
            var step = first.Start(job.Name, RunStage.Render, Hash(first, job), job.OutputPath);
            File.WriteAllText(job.OutputPath!, "png");
            step.Done();
        }

        rows[3] = rows[3] with { Prompt = "prompt 4, now in red" };
        var resumed = new RenderRun(RecordFolder, new Shard(0, 1));
        var stale = rows.Where(row => Job(row, model, outDir) is var job && !resumed.History.IsDone(job.Name, RunStage.Render, Hash(resumed, job), job.OutputPath));
        Assert.Equal(["product 4"], stale.Select(r => r.Name));

        // A deleted output, a different seed, another LoRA weight or a touched model file also re-render.
        File.Delete(Job(rows[0], model, outDir).OutputPath!);
        Assert.False(resumed.History.IsDone("product 1", RunStage.Render, Hash(resumed, Job(rows[0], model, outDir)), Job(rows[0], model, outDir).OutputPath));
        var job2 = Job(rows[1], model, outDir);
        Assert.NotEqual(Hash(resumed, job2), Hash(resumed, Job(rows[1] with { Seed = "99" }, model, outDir)));
        Assert.NotEqual(RenderFingerprint.Of(job2, "m", [("style", "a.safetensors", 0.5)]), RenderFingerprint.Of(job2, "m", [("style", "a.safetensors", 0.6)]));
        // Image-to-image: another strength, or an edited init image, renders the row again.
        var sheet = Job(rows[1] with { Parts = "<p><part name=\"blade\"/></p>" }, model, outDir);
        Assert.NotEqual(Hash(resumed, sheet), Hash(resumed, Job(sheet.Row with { LayoutStrength = "0.5" }, model, outDir)));
        string init = Path.Combine(outDir, "init.png");
        ImageCodec.WritePng(RgbaImage.CreateOpaque(64, 64), init, overwrite: true);
        var fromImage = Job(rows[1] with { InitImage = init }, model, outDir);
        string recorded = Hash(resumed, fromImage);
        Assert.NotEqual(Hash(resumed, job2), recorded);
        File.SetLastWriteTimeUtc(init, File.GetLastWriteTimeUtc(init).AddMinutes(1));
        Assert.NotEqual(recorded, Hash(resumed, fromImage));
        string before = ModelIdentity.Of(model);
        File.WriteAllText(Path.Combine(model, "unet.onnx"), "new weights");
        Assert.NotEqual(before, ModelIdentity.Of(model));
    }

    [Fact]
    public void The_summary_counts_rows_per_shard_and_lists_failures_with_their_error_id()
    {
        string[] keys = Enumerable.Range(1, 20).Select(i => $"row {i}").ToArray();
        var run = new RenderRun(RecordFolder, new Shard(0, 2));
        run.Start("row 1", RunStage.Render, "h1", null).Done();
        run.Start("row 1", RunStage.Upscale, "u1", null).Done();
        run.Failed("row 2", RunStage.Render, "InvalidRenderRow", "Row 'row 2': Width is 1000; …");
        run.Start("row 3", RunStage.Render, "h3", null); // killed mid-row: started, never ended
        run.Start("row 4", RunStage.Render, "h4", null).Done();
        run.Start("row 4", RunStage.Sharpen, "s4", null).Failed("OutputExists", "exists");
        new RenderRun(RecordFolder, new Shard(0, 2)).Start("row 1", RunStage.Render, "h1", null).Failed("OutputExists", "a second worker on the same shard");

        var summary = RunSummary.Of(RunHistory.Read(RecordFolder), keys);
        Assert.Equal(RowState.Done, summary.Rows["row 1"]); // the duplicate's failure changes nothing: the work is done
        Assert.Equal(RowState.Failed, summary.Rows["row 2"]);
        Assert.Equal(RowState.Pending, summary.Rows["row 3"]);
        Assert.Equal(RowState.Failed, summary.Rows["row 4"]);
        Assert.Equal((1, 2, 17), (summary.Done, summary.Failed, summary.Pending));
        Assert.Equal(2, summary.Shards.Count);
        Assert.Equal(keys.Count(k => Shard.Of(k, 2) == 1), summary.Shards[1].Done + summary.Shards[1].Failed + summary.Shards[1].Pending);
        Assert.Equal([("row 2", "render", "InvalidRenderRow"), ("row 4", "sharpen", "OutputExists")],
            summary.Failures.Select(f => (f.Key, f.Stage, f.ErrorId)));

        Assert.Throws<CatalogueKeyException>(() => RunSummary.Of(RunHistory.Read(RecordFolder), ["a", "a"]));
        Assert.Throws<ShardException>(() => RunSummary.Of(RunHistory.Read(RecordFolder), keys, shardCount: 0));
    }

    [Fact]
    public void A_row_whose_render_is_done_but_whose_later_stage_is_missing_is_finished_not_rerendered()
    {
        string outDir = Directory.CreateDirectory(Path.Combine(_dir, "out")).FullName;
        string Png(string name) { string p = Path.Combine(outDir, name); File.WriteAllText(p, "png"); return p; }
        var run = new RenderRun(RecordFolder);
        foreach (string key in new[] { "a", "b", "c" })
        {
            run.Start(key, RunStage.Render, $"r-{key}", Png($"{key}.png")).Done();
            if (key != "b") run.Start(key, RunStage.Sharpen, $"s-{key}", Png($"{key}-final.png"), input: $"r-{key}").Done();
        }
        File.Delete(Path.Combine(outDir, "c-final.png"));

        var history = new RenderRun(RecordFolder).History;
        Assert.Equal(RowResume.Skip, history.ResumeOf("a", "r-a", Path.Combine(outDir, "a.png")));
        Assert.Equal(RowResume.FinishLaterStages, history.ResumeOf("b", "r-b", Path.Combine(outDir, "b.png"))); // killed before sharpening
        Assert.Equal(RowResume.FinishLaterStages, history.ResumeOf("c", "r-c", Path.Combine(outDir, "c.png"))); // final file deleted
        Assert.Equal(RowResume.Render, history.ResumeOf("a", "r-a changed", Path.Combine(outDir, "a.png")));
    }

    static RenderJob Job(RenderRow row, string model, string outDir) =>
        new(row, row.ToRequest(), model, Path.Combine(outDir, row.FileStem(long.Parse(row.Seed!)) + ".png"));

    static string Hash(RenderRun run, RenderJob job) => RenderFingerprint.Of(job, run.ModelIdentityOf(job.ModelFolder), []);

    static RunRecordEntry Entry(string key, RunStatus status) => new()
    {
        Key = key, Stage = RunStage.Render, Status = status, Hash = "h", Host = "test", Worker = "w.jsonl", At = DateTimeOffset.UtcNow,
    };
}
