using System.Management.Automation;
using NanoBanana.PowerShell.Tests.Hosting;

namespace NanoBanana.PowerShell.Tests;

/// <summary>New-ExplodedView as a catalogue user drives it: rows piped in (as Import-Csv makes them: every cell a string).</summary>
public sealed class NewExplodedViewCommandTests(TinyModelFolders models) : IClassFixture<TinyModelFolders>
{
    private Dictionary<string, object?> Model => new() { ["m"] = models.Xl };

    private static string RowName(ErrorRecord error) => (string)((PSObject)error.TargetObject).Properties["Name"].Value;

    [Fact]
    public void SixRowsWithTwoInvalidGiveFourFilesTwoRowErrorsAndStepProgress()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);

        var result = ps.Run("""
            $rows = @(
                [pscustomobject]@{ Name = 'AeroDrone X4'; Description = 'hello world drone'; Style = 'ExplodedView'; Seed = '1001'; Width = '64'; Height = '64'; Steps = '2'; Parts = '<product name="drone"><part name="propeller" count="4" material="carbon"/></product>' }
                [pscustomobject]@{ Name = 'Brewline Grinder'; Description = 'hello grinder'; Style = 'knolling'; Seed = '2002'; Width = '64'; Height = '64'; Steps = '2'; Parts = '' }
                [pscustomobject]@{ Name = 'Wide Lamp'; Description = 'lamp'; Style = 'None'; Seed = '3003'; Width = '1000'; Height = '64'; Steps = '2'; Parts = '' }
                [pscustomobject]@{ Name = 'Blank Pack'; Description = ''; Style = 'Knolling'; Seed = '4004'; Width = '64'; Height = '64'; Steps = '2'; Parts = '' }
                [pscustomobject]@{ Name = '../escape/Keyboard'; Description = 'keyboard'; Style = 'TechnicalSchematic'; Seed = '5005'; Width = '64'; Height = '64'; Steps = '2'; Parts = '' }
                [pscustomobject]@{ Name = ''; Description = 'power bank'; Style = ''; Seed = '6006'; Width = '64'; Height = '128'; Steps = '2'; Parts = ''; Scheduler = 'EulerAncestral' }
            )
            $rows | New-ExplodedView -ModelPath $m -OutputDirectory out
            """, Model);

        Assert.Null(result.Terminating);
        Assert.All(result.Output, o => Assert.Equal("NanoBanana.RenderedImage", o.BaseObject.GetType().FullName));
        var images = result.Output.Select(o => (dynamic)o.BaseObject).ToList();
        Assert.Equal(["AeroDrone X4", "Brewline Grinder", "../escape/Keyboard", "render-6006"], images.Select(i => (string)i.Name));
        Assert.Equal([1001L, 2002, 5005, 6006], images.Select(i => (long)i.Seed));
        Assert.Equal([64, 64, 64, 128], images.Select(i => (int)i.Height));
        Assert.Equal(["Euler", "Euler", "Euler", "Euler a"], images.Select(i => (string)i.Scheduler));
        Assert.All(images, i => Assert.Equal("tiny-sdxl", (string)i.Model));
        Assert.All(images, i => Assert.True(File.Exists((string)i.Path)));
        Assert.Contains("hello world drone, drone, 4 carbon propeller, exploded view", (string)images[0].Prompt);
        Assert.Contains("knolling", (string)images[1].Prompt);
        Assert.Contains("exploded view", (string)images[3].Prompt); // an empty Style cell means the default look

        // The names are sanitised: the "../escape/" row lands inside out/, and nothing else is left behind (no *.tmp).
        Assert.Equal(
            new[] { "AeroDrone X4.png", "Brewline Grinder.png", "_escape_Keyboard.png", "render-6006.png" }.Select(f => Path.Combine("out", f)),
            dir.Files());

        Assert.Equal(2, result.Errors.Count);
        Assert.All(result.Errors, e => Assert.StartsWith("InvalidRenderRow,", e.FullyQualifiedErrorId));
        Assert.All(result.Errors, e => Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category));
        Assert.Equal(["Wide Lamp", "Blank Pack"], result.Errors.Select(RowName));
        Assert.Equal(["Width", "Prompt"], result.Errors.Select(e => Assert.IsAssignableFrom<ArgumentException>(e.Exception).ParamName));
        Assert.Equal("Row 'Wide Lamp': Width is 1000; it must be a positive multiple of 64 (e.g. 1024).", result.Errors[0].ToString());
        Assert.Equal("Row 'Blank Pack': Prompt is empty; describe the image to render.", result.Errors[1].ToString());

        // One record per denoising step, as a child of the record counting rows.
        var steps = result.Progress.Where(p => p.ActivityId == 2 && p.RecordType == ProgressRecordType.Processing && p.StatusDescription.StartsWith("step ")).ToList();
        // The laid-out drone starts from its layout's guide at strength 0.75: the last ⌊2 × 0.75⌋ = 1 of its 2 steps runs.
        Assert.Equal(1 + 3 * 2, steps.Count);
        Assert.All(steps, p => Assert.Equal(1, p.ParentActivityId));
        Assert.Equal([100, 50, 100, 50, 100, 50, 100], steps.Select(p => p.PercentComplete));
        Assert.All(steps, p => Assert.True(p.SecondsRemaining >= 0));
        Assert.Equal(0, steps[0].SecondsRemaining);
        var rows = result.Progress.Where(p => p.ActivityId == 1 && p.RecordType == ProgressRecordType.Processing).Select(p => p.StatusDescription);
        Assert.Equal(["Row 1: AeroDrone X4", "Row 2: Brewline Grinder", "Row 5: ../escape/Keyboard", "Row 6: render-6006"], rows);
        Assert.Equal(ProgressRecordType.Completed, result.Progress[^1].RecordType);
        // Before the first step: the first row may load the model (unless an earlier test in this process did,
        // as the engine is shared); the later rows reuse its sessions.
        var firstStatuses = result.Progress.Where(p => p.ActivityId == 2 && !p.StatusDescription.StartsWith("step ") && p.RecordType == ProgressRecordType.Processing)
            .Select(p => p.StatusDescription).ToList();
        Assert.Contains(firstStatuses[0], new[] { "loading the model", "encoding the prompt" });
        Assert.Equal(["encoding the prompt", "encoding the prompt", "encoding the prompt"], firstStatuses.Skip(1));

        // The PNG carries the A1111 parameters of what was rendered.
        var metadata = ps.Run("Get-RenderMetadata -LiteralPath 'out/AeroDrone X4.png'").AssertSuccess().Output.Single();
        Assert.Equal(1001L, metadata.Properties["Seed"].Value);
        Assert.Equal("tiny-sdxl", metadata.Properties["Model"].Value);
        Assert.Equal((string)images[0].Prompt, metadata.Properties["Prompt"].Value);
    }

    [Fact]
    public void EveryBadCellIsReportedForItsRowWithTheFieldAndNothingIsRendered()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);

        var result = ps.Run("""
            @(
                [pscustomobject]@{ Name = 'a'; Description = 'x'; Steps = 'ten' }
                [pscustomobject]@{ Name = 'b'; Description = 'x'; Seed = '1.5' }
                [pscustomobject]@{ Name = 'c'; Description = 'x'; Style = 'Watercolour' }
                [pscustomobject]@{ Name = 'd'; Description = 'x'; Scheduler = 'Heun' }
                [pscustomobject]@{ Name = 'e'; Description = 'x'; Steps = '0' }
                [pscustomobject]@{ Name = 'f'; Description = 'x'; CfgScale = '7,5' }
                [pscustomobject]@{ Name = 'g'; Description = 'x'; GuidanceBatching = 'Both' }
                [pscustomobject]@{ Name = 'h'; Description = 'x'; Parts = '<product><part name="arm"></product>' }
                [pscustomobject]@{ Name = 'i'; Description = 'x'; Style = '2' }
                [pscustomobject]@{ Name = 'j'; Description = 'x'; Height = '-64' }
            ) | New-ExplodedView -ModelPath $m -OutputDirectory out
            """, Model);

        Assert.Null(result.Terminating);
        Assert.Empty(result.Output);
        Assert.Empty(dir.Files());
        Assert.DoesNotContain(result.Progress, p => p.ActivityId == 2);
        Assert.Equal(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"], result.Errors.Select(RowName));
        Assert.All(result.Errors, e => Assert.StartsWith("InvalidRenderRow,", e.FullyQualifiedErrorId));
        Assert.Equal(["Steps", "Seed", "Style", "Scheduler", "Steps", "CfgScale", "GuidanceBatching", "Parts", "Style", "Height"],
            result.Errors.Select(e => ((ArgumentException)e.Exception).ParamName));
        // Each message names the row, the value and what to write instead.
        Assert.Equal("Row 'a': Steps is 'ten'; use a whole number of denoising steps such as 30.", result.Errors[0].ToString());
        Assert.Contains("Knolling, ExplodedView, TechnicalSchematic", result.Errors[2].ToString());
        Assert.Contains("DpmPlusPlus2MKarras", result.Errors[3].ToString());
        Assert.Contains("'.' as the decimal point", result.Errors[5].ToString());
        Assert.Contains("line 1", result.Errors[7].ToString());
    }

    [Fact]
    public void SkipExistingSkipsQuietlyExistingFilesNeedForceAndWhatIfRendersNothing()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);
        const string row = "$row = [pscustomobject]@{ Name = 'Pack'; Description = 'pack'; Seed = '3'; Width = '64'; Height = '64'; Steps = '1' }; ";
        ps.Run(row + "$row | New-ExplodedView -ModelPath $m -OutputDirectory out", Model).AssertSuccess();
        string file = dir.File("out/Pack.png");
        var written = File.GetLastWriteTimeUtc(file);

        var skipped = ps.Run(row + "$row | New-ExplodedView -ModelPath $m -OutputDirectory out -SkipExisting -Verbose", Model).AssertSuccess();
        Assert.Empty(skipped.Output);
        Assert.Contains(skipped.Verbose, v => v.Message.Contains("skipped") && v.Message.Contains("Pack.png"));
        Assert.DoesNotContain(skipped.Progress, p => p.ActivityId == 2);

        var refused = ps.Run(row + "$row | New-ExplodedView -ModelPath $m -OutputDirectory out", Model);
        var exists = Assert.Single(refused.Errors);
        Assert.StartsWith("OutputExists,", exists.FullyQualifiedErrorId);
        Assert.Equal("Pack", RowName(exists));
        Assert.DoesNotContain(refused.Progress, p => p.ActivityId == 2 && p.StatusDescription.StartsWith("step ")); // refused before rendering
        Assert.Equal(written, File.GetLastWriteTimeUtc(file));

        var whatIf = ps.Run("[pscustomobject]@{ Name = 'Other'; Description = 'x'; Width = '64'; Height = '64' } | New-ExplodedView -ModelPath $m -OutputDirectory out -WhatIf", Model).AssertSuccess();
        Assert.Empty(whatIf.Output);
        Assert.Empty(whatIf.Progress);

        var forced = ps.Run(row + "$row | New-ExplodedView -ModelPath $m -OutputDirectory out -Force", Model).AssertSuccess();
        Assert.Equal(file, (string)((dynamic)forced.Output.Single().BaseObject).Path);
        Assert.Equal([Path.Combine("out", "Pack.png")], dir.Files());
    }

    [Fact]
    public void ResultsFlowIntoOptimizeSharpnessAndSilentProgressWritesNoRecords()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);

        var result = ps.Run("""
            $ProgressPreference = 'SilentlyContinue'
            [pscustomobject]@{ Product = 'Lumen Lamp'; Description = 'lamp'; Seed = '7'; Width = '64'; Height = '64'; Steps = '2' } |
                New-ExplodedView -ModelPath $m | Optimize-Sharpness -Factor 2 -OutputDirectory final
            """, Model).AssertSuccess();

        Assert.Empty(result.Progress);
        Assert.Equal([Path.Combine("final", "Lumen Lamp.png")], dir.Files());
        var metadata = ps.Run("Get-RenderMetadata -LiteralPath 'final/Lumen Lamp.png'").AssertSuccess().Output.Single();
        Assert.Equal(7L, metadata.Properties["Seed"].Value);
        Assert.Equal("2", ((System.Collections.Specialized.OrderedDictionary)metadata.Properties["Extra"].Value)["Sharpness"]);
    }

    [Fact]
    public void PipedStringsArePromptsAndASecondImageForOneOutFileIsRefused()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);

        var result = ps.Run("'hello world', 'second prompt' | New-ExplodedView -ModelPath $m -Style None -Width 64 -Height 64 -Steps 1 -Seed 9 -OutFile one.png", Model);

        var image = (dynamic)result.Output.Single().BaseObject;
        Assert.Equal("hello world", (string)image.Prompt);
        Assert.Equal("render-9", (string)image.Name);
        Assert.Equal(dir.File("one.png"), (string)image.Path);
        var refused = Assert.Single(result.Errors);
        Assert.StartsWith("OutFileWithSeveralImages,", refused.FullyQualifiedErrorId);
        Assert.Equal("second prompt", ((PSObject)refused.TargetObject).BaseObject);
        Assert.Equal(["one.png"], dir.Files());
    }

    [Theory]
    [InlineData("New-ExplodedView -Scheduler dpm", new[] { "DpmPlusPlus2M", "DpmPlusPlus2MKarras" })]
    [InlineData("New-ExplodedView -Style t", new[] { "TechnicalSchematic" })]
    [InlineData("New-ExplodedView -GuidanceBatching ", new[] { "Separate", "Combined" })]
    [InlineData("Get-SchedulerTimestep -Scheduler Eu", new[] { "Euler", "EulerAncestral" })]
    public void NamesCompleteFromTheEngine(string line, string[] expected)
    {
        using var ps = new PowerShellSession();
        var completions = ps.Run("(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object CompletionText",
            new Dictionary<string, object?> { ["line"] = line }).AssertSuccess();
        Assert.Equal(expected, completions.Output.Select(o => o.ToString()));
    }

    [Fact]
    public void ModelComesFromTheEnvironmentWhenNotGivenAndItsAbsenceOrAnUnwritableFolderIsARowError()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("blocked"), "a file where the output folder should be");
        using var ps = new PowerShellSession(dir.Path);
        const string row = "$row = [pscustomobject]@{ Name = 'Cell'; Description = 'x'; Seed = '5'; Width = '64'; Height = '64'; Steps = '1' }; ";
        string? saved = Environment.GetEnvironmentVariable("NANOBANANA_MODEL");
        try
        {
            var fromEnvironment = ps.Run(row + "$env:NANOBANANA_MODEL = $m; $row | New-ExplodedView", Model).AssertSuccess();
            Assert.Equal("tiny-sdxl", (string)((dynamic)fromEnvironment.Output.Single().BaseObject).Model);

            var unset = Assert.Single(ps.Run(row + "$env:NANOBANANA_MODEL = ''; $row | New-ExplodedView").Errors);
            Assert.StartsWith("ModelNotSet,", unset.FullyQualifiedErrorId);
            Assert.Contains("-ModelPath", unset.ToString());
            Assert.Contains("NANOBANANA_MODEL", unset.ToString());
            Assert.Equal("Cell", RowName(unset));
        }
        finally
        {
            Environment.SetEnvironmentVariable("NANOBANANA_MODEL", saved);
        }

        var missing = Assert.Single(ps.Run(row + "$row | New-ExplodedView -ModelPath ./no-such-model").Errors);
        Assert.StartsWith("ModelNotFound,", missing.FullyQualifiedErrorId);
        Assert.Contains("no-such-model", missing.ToString());

        var noDrive = Assert.Single(ps.Run(row + "$row | New-ExplodedView -ModelPath nodrive:/model").Errors);
        Assert.StartsWith("InvalidArgument,", noDrive.FullyQualifiedErrorId);
        Assert.Equal("Cell", RowName(noDrive));

        var blocked = ps.Run(row + "$row | New-ExplodedView -ModelPath $m -OutputDirectory blocked", Model);
        var notWritable = Assert.Single(blocked.Errors);
        Assert.StartsWith("OutputNotWritable,", notWritable.FullyQualifiedErrorId);
        Assert.Equal("Cell", RowName(notWritable));
        Assert.DoesNotContain(blocked.Progress, p => p.ActivityId == 2 && p.StatusDescription.StartsWith("step ")); // refused before rendering
        Assert.Equal(["blocked"], dir.Files());
    }

    [Fact]
    public void StoppingARenderLeavesNoFileAndTheLoadedModelRendersAgain()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);
        var variables = new Dictionary<string, object?> { ["m"] = models.SlowXl };
        // The Small model at 512×512: about half a second per UNet run.
        const string row = "[pscustomobject]@{ Name = 'Slow'; Description = 'slow'; Seed = '1'; Width = '512'; Height = '512'; CfgScale = '1'; Steps = '{0}' } | New-ExplodedView -ModelPath $m -OutputDirectory out";

        ps.Run("$null = 1", variables).AssertSuccess(); // sets $m for RunAndStop
        var (stopped, wasStopped) = ps.RunAndStop(row.Replace("{0}", "20"),
            p => p.ActivityId == 2 && p.StatusDescription.StartsWith("step 1 "), TimeSpan.FromMinutes(2));

        Assert.True(wasStopped, "the render should still have been running after its first step");
        Assert.IsAssignableFrom<PipelineStoppedException>(stopped.Terminating);
        Assert.Empty(stopped.Output);
        Assert.Empty(dir.Files()); // no PNG and no temporary file

        var again = ps.Run(row.Replace("{0}", "1"), variables).AssertSuccess();
        Assert.Equal([Path.Combine("out", "Slow.png")], dir.Files());
        Assert.Equal(1L, (long)((dynamic)again.Output.Single().BaseObject).Seed);
    }
}
