using System.Management.Automation;
using System.Text.Json;
using NanoBanana.PowerShell.Tests.Hosting;

namespace NanoBanana.PowerShell.Tests;

/// <summary>Select-CatalogueShard, New-ExplodedView -RunRecord/-Resume and Get-RenderRun as a catalogue user drives them.</summary>
public sealed class RenderRunCommandTests(TinyModelFolders models) : IClassFixture<TinyModelFolders>
{
    const string Rows = """
        $rows = 1..12 | ForEach-Object { [pscustomobject]@{ Name = "product $_"; Description = "widget $_"; Seed = "$_"; Steps = '1'; Width = '64'; Height = '64' } }
        """;

    [Fact]
    public void Four_shards_pass_on_disjoint_rows_that_together_are_the_catalogue()
    {
        using var ps = new PowerShellSession();
        var result = ps.Run(Rows + """

            0..3 | ForEach-Object { $i = $_; $rows | Select-CatalogueShard -ShardIndex $i -ShardCount 4 | ForEach-Object { "$i|$($_.Name)|$($_.NanoBananaShard)" } }
            """).AssertSuccess();
        var lines = result.Output.Select(o => o.ToString().Split('|')).ToList();
        Assert.Equal(Enumerable.Range(1, 12).Select(i => $"product {i}").Order(), lines.Select(l => l[1]).Order());
        Assert.All(lines, l => Assert.Equal($"{l[0]}/4", l[2]));
    }

    [Theory]
    [InlineData("-ShardIndex 4 -ShardCount 4", "ShardInvalid", "Shard from parameters: the shard index is 4 but the count is 4; use an index from 0 to 3.")]
    [InlineData("-ShardIndex 0 -ShardCount 0", "ShardInvalid", "Shard from parameters: the shard count is 0; use 1 or more (the number of workers).")]
    [InlineData("-ShardIndex 1", "ShardInvalid", "Shard from parameters: give -ShardIndex and -ShardCount together, or neither to read them from the scheduler's environment.")]
    public void Bad_shards_stop_before_any_row_is_passed_on(string arguments, string id, string message)
    {
        using var ps = new PowerShellSession();
        var result = ps.Run(Rows + $"\n$rows | Select-CatalogueShard {arguments}");
        Assert.Empty(result.Output);
        var error = StoppingError(result);
        Assert.StartsWith(id + ",", error.FullyQualifiedErrorId);
        Assert.Equal(message, error.ToString());
    }

    [Fact]
    public void Duplicated_keys_name_both_rows_and_a_missing_key_column_is_named()
    {
        using var ps = new PowerShellSession();
        var duplicate = ps.Run("""
            @([pscustomobject]@{ SKU = 'A-1'; Description = 'x' }, [pscustomobject]@{ SKU = 'B-2'; Description = 'y' }, [pscustomobject]@{ SKU = 'A-1'; Description = 'z' }) | Select-CatalogueShard
            """);
        Assert.Empty(duplicate.Output);
        var error = StoppingError(duplicate);
        Assert.StartsWith("CatalogueKeyInvalid,", error.FullyQualifiedErrorId);
        Assert.Contains("rows 1 and 3 both have the key 'A-1'", error.ToString());

        var missing = ps.Run("""@([pscustomobject]@{ Id = 1; Description = 'x' }) | Select-CatalogueShard""");
        Assert.Contains("The catalogue has no key column: add a Name (or Product or SKU) column", StoppingError(missing).ToString());
        Assert.Contains("Its columns are: Id, Description.", StoppingError(missing).ToString());
    }

    [Fact]
    public void Resume_skips_done_rows_rerenders_a_changed_prompt_and_finishes_a_missing_final_stage()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);
        var vars = new Dictionary<string, object?> { ["m"] = models.Xl };
        const string Pipeline = "$rows | New-ExplodedView -ModelPath $m -OutputDirectory out -Resume -Force -Verbose | Optimize-Sharpness -Factor 2 -OutputDirectory final -Force";
        string rows3 = "$rows = 1..3 | ForEach-Object { [pscustomobject]@{ Name = \"product $_\"; Description = \"widget $_\"; Seed = \"$_\"; Steps = '1'; Width = '64'; Height = '64' } }\n";

        var first = ps.Run(rows3 + Pipeline, vars).AssertSuccess();
        Assert.Equal(3, first.Output.Count);

        var again = ps.Run(rows3 + Pipeline, vars).AssertSuccess();
        Assert.Empty(again.Output);
        Assert.Equal(3, again.Verbose.Count(v => v.Message.Contains("skipped") && v.Message.Contains("(-Resume)")));

        var changed = ps.Run(rows3 + "$rows[1].Description = 'widget 2, now in red'\n" + Pipeline, vars).AssertSuccess();
        Assert.Equal(["product 2"], changed.Output.Select(o => o.Properties["Name"].Value));

        File.Delete(Path.Combine(dir.Path, "final", "product 3.png"));
        var finish = ps.Run(rows3 + "$rows[1].Description = 'widget 2, now in red'\n" + Pipeline, vars).AssertSuccess();
        Assert.Equal(["product 3"], finish.Output.Select(o => o.Properties["Name"].Value));
        Assert.Contains(finish.Verbose, v => v.Message.Contains("rendered earlier"));
        Assert.True(File.Exists(Path.Combine(dir.Path, "final", "product 3.png")));

        var lines = RecordLines(Path.Combine(dir.Path, "out", ".nanobanana-run"));
        // Renders: 3 + the changed row; sharpens: 3 + the changed row + the finished one. Each ended done.
        Assert.Equal(4, lines.Count(l => l.Stage == "render" && l.Status == "Done"));
        Assert.Equal(5, lines.Count(l => l.Stage == "sharpen" && l.Status == "Done"));
        Assert.Equal(lines.Count(l => l.Status == "Started"), lines.Count(l => l.Status == "Done"));

        var run = ps.Run("Get-RenderRun out", vars).AssertSuccess().Single<object>();
        Assert.Equal("3 done, 0 failed, 0 pending", run.ToString());
    }

    [Fact]
    public void Get_render_run_lists_failures_with_row_and_error_id_and_pending_rows_of_the_catalogue()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);
        var vars = new Dictionary<string, object?> { ["m"] = models.Xl };
        var result = ps.Run(Rows + """

            $rows[4].Width = '1000'
            $rows | Select-CatalogueShard -ShardIndex 0 -ShardCount 2 | New-ExplodedView -ModelPath $m -OutputDirectory out | Out-Null
            $rows | Get-RenderRun out
            """, vars);
        dynamic run = result.Output.Single().BaseObject;
        Assert.Equal(2, ((object[])run.Shards).Length);
        dynamic s1 = ((object[])run.Shards)[1];
        Assert.Equal(0, (int)s1.Done + (int)s1.Failed); // shard 1 never ran: all its rows pending
        Assert.Equal(12, (int)run.Done + (int)run.Failed + (int)run.Pending);
        Assert.Equal((int)s1.Pending, (int)run.Pending);
        bool row5InShard0 = result.Errors.Count == 1;
        Assert.Equal(row5InShard0 ? 1 : 0, (int)run.Failed);
        if (row5InShard0)
        {
            dynamic failure = ((object[])run.Failures).Single();
            Assert.Equal(("product 5", "render", "InvalidRenderRow", 0), ((string)failure.Name, (string)failure.Stage, (string)failure.ErrorId, (int)failure.Shard));
        }
    }

    [Fact]
    public void Two_workers_given_the_same_shard_leave_whole_files_and_a_readable_record()
    {
        using var dir = new TempDirectory();
        var vars = new Dictionary<string, object?> { ["m"] = models.Xl };
        var results = new ScriptResult[2];
        Parallel.For(0, 2, i =>
        {
            using var ps = new PowerShellSession(dir.Path);
            results[i] = ps.Run(Rows + "\n$rows | Select-CatalogueShard -ShardIndex 1 -ShardCount 2 | New-ExplodedView -ModelPath $m -OutputDirectory out", vars);
        });
        // Every row of the shard is rendered by one worker; the other's attempt at it fails with OutputExists.
        Assert.All(results.SelectMany(r => r.Errors), e => Assert.StartsWith("OutputExists,", e.FullyQualifiedErrorId));
        var names = results.SelectMany(r => r.Output).Select(o => (string)o.Properties["Name"].Value).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(dir.Files(), f => Assert.EndsWith(".png", f)); // no temporary file left
        Assert.Equal(names.Order(), dir.Files().Select(f => Path.GetFileNameWithoutExtension(f)).Order());

        using var reader = new PowerShellSession(dir.Path);
        var run = reader.Run(Rows + "\n$rows | Get-RenderRun out").AssertSuccess().Single<object>();
        Assert.Equal($"{names.Count} done, 0 failed, {12 - names.Count} pending", run.ToString());
    }

    // A cmdlet's terminating error stops its statement; the hosted script records it as the one error.
    static ErrorRecord StoppingError(ScriptResult result) =>
        (result.Terminating as IContainsErrorRecord)?.ErrorRecord ?? Assert.Single(result.Errors);

    static List<(string Key, string Stage, string Status)> RecordLines(string folder) =>
        Directory.GetFiles(folder, "*.jsonl").SelectMany(File.ReadAllLines).Select(line =>
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            return (root.GetProperty("key").GetString()!, root.GetProperty("stage").GetString()!, root.GetProperty("status").GetString()!);
        }).ToList();
}
