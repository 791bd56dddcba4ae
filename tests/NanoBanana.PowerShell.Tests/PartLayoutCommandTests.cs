using System.Management.Automation;
using NanoBanana.PowerShell.Tests.Hosting;

namespace NanoBanana.PowerShell.Tests;

/// <summary>New-PartLayout, New-ExplodedView -Layout, Add-PartLabel and Measure-ExplodedView as a catalogue user
/// chains them, on the tiny synthetic SDXL.</summary>
public sealed class PartLayoutCommandTests(TinyModelFolders models) : IClassFixture<TinyModelFolders>
{
    private const string Drone = """<product name="quadcopter drone"><part name="propeller" count="4" material="carbon fibre"/><part name="flight battery" colour="grey"/></product>""";

    private Dictionary<string, object?> Variables => new() { ["m"] = models.Xl, ["drone"] = Drone };

    [Fact]
    public void NewPartLayoutPlansRowsAndReportsBadOnesByRowAndField()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);
        var result = ps.Run("""
            @(
                [pscustomobject]@{ Name = 'Drone'; Style = 'Knolling'; Parts = $drone; Width = '512'; Height = '512' }
                [pscustomobject]@{ Name = 'Zero'; Style = 'Knolling'; Parts = '<p><part name="x" count="0"/></p>'; Width = '512'; Height = '512' }
                [pscustomobject]@{ Name = 'Crowd'; Style = 'Knolling'; Parts = ('<p>' + ((1..200 | ForEach-Object { "<part name=""part $_""/>" }) -join '') + '</p>'); Width = '512'; Height = '512' }
                [pscustomobject]@{ Name = 'Plain'; Style = 'Knolling'; Parts = ''; Width = '512'; Height = '512' }
                [pscustomobject]@{ Name = 'Lamp'; Style = 'Grid'; Parts = $drone; Width = '512'; Height = '512' }
            ) | New-PartLayout
            """, Variables);

        var layout = result.Output.Single();
        Assert.Equal("Knolling", layout.Properties["Kind"].Value.ToString());
        Assert.Equal(5, ((System.Collections.ICollection)layout.Properties["Parts"].Value).Count);
        Assert.Equal(["Zero", "Crowd", "Lamp"], result.Errors.Select(e => (string)((PSObject)e.TargetObject).Properties["Name"].Value));
        Assert.All(result.Errors, e => Assert.StartsWith("InvalidRenderRow,", e.FullyQualifiedErrorId));
        Assert.Contains("count=\"0\"", result.Errors[0].ToString());
        Assert.Contains("fits the first", result.Errors[1].ToString());
        Assert.Equal("Style", Assert.IsAssignableFrom<ArgumentException>(result.Errors[2].Exception).ParamName);

        var central = ps.Run("New-PartLayout -Name 'Trailhead Pack' -Layout Grid -Width 256 -Height 256").AssertSuccess().Output.Single();
        Assert.Equal("Trailhead Pack", central.Properties["Product"].Value);
    }

    [Fact]
    public void ALaidOutRenderIsCleanLabelledAfterUpscalingAndMeasured()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);
        var result = ps.Run("""
            $image = New-ExplodedView -ModelPath $m -Name Drone -Prompt 'drone' -Parts $drone -Style ExplodedView -Width 256 -Height 256 -Steps 2 -Seed 3 -OutputDirectory renders
            $sheet = $image | Invoke-Upscale -Scale 2 | Optimize-Sharpness -Factor 2 | Add-PartLabel -OutputDirectory sheets
            $image.Layout.Kind.ToString(), $sheet.Layout.Width
            $sheet | Measure-ExplodedView
            Measure-ExplodedView -LiteralPath sheets/Drone.png
            """, Variables).AssertSuccess();

        Assert.Equal("Exploded", result.Output[0].BaseObject);
        Assert.Equal(512, result.Output[1].BaseObject);
        foreach (var measured in result.Output.Skip(2))
        {
            Assert.Equal("NanoBanana.ExplodedViewMeasurement", measured.BaseObject.GetType().FullName);
            Assert.Equal(0.0, measured.Properties["PartOverlap"].Value);
            Assert.True((double)measured.Properties["BackgroundPurity"].Value >= 0.999);
            Assert.Equal(0, measured.Properties["LabelCollisions"].Value);
            Assert.True((bool)measured.Properties["LabelsInside"].Value);
            Assert.Equal(2, measured.Properties["Labels"].Value);
            Assert.Equal(512 / 48.0, (double)measured.Properties["MinimumTextHeight"].Value!, 6);
        }
        // The render itself carries its layout in the PNG: it can be measured from disk, unlabelled.
        var raw = ps.Run("Measure-ExplodedView renders/Drone.png").AssertSuccess().Output.Single();
        Assert.Equal(1.0, raw.Properties["BackgroundPurity"].Value);
    }

    [Fact]
    public void TransparentAndColouredBackgroundsAndBadColoursPerRow()
    {
        using var dir = new TempDirectory();
        using var ps = new PowerShellSession(dir.Path);
        var result = ps.Run("""
            (New-ExplodedView -ModelPath $m -Prompt 'drone' -Parts $drone -Layout Grid -Width 128 -Height 128 -Steps 1 -Seed 3 -TransparentBackground).HasAlpha
            @(
                [pscustomobject]@{ Name = 'Ivory'; Prompt = 'drone'; Parts = $drone; Background = 'ivory' }
                [pscustomobject]@{ Name = 'Mauve'; Prompt = 'drone'; Parts = $drone; Background = 'mauve-ish' }
            ) | New-ExplodedView -ModelPath $m -Width 128 -Height 128 -Steps 1 -Seed 3 | ForEach-Object { $_.Layout.Background }
            """, Variables);

        Assert.Equal([true, "#FFFFF0"], result.Output.Select(o => o.BaseObject));
        var error = Assert.Single(result.Errors);
        Assert.Equal("Background", Assert.IsAssignableFrom<ArgumentException>(error.Exception).ParamName);
        Assert.Contains("#RRGGBB", error.ToString());
    }

    [Fact]
    public void AnImageWithoutALayoutIsALayoutMissingErrorAndTheOthersGoOn()
    {
        using var dir = new TempDirectory();
        TestImages.WritePng(dir.File("plain.png"), 32, 32);
        using var ps = new PowerShellSession(dir.Path);
        var result = ps.Run("""
            New-ExplodedView -ModelPath $m -Name Laid -Prompt 'drone' -Parts $drone -Width 128 -Height 128 -Steps 1 -Seed 3 -OutputDirectory . | Out-Null
            'plain.png', 'Laid.png' | Measure-ExplodedView
            'plain.png' | Add-PartLabel
            """, Variables);

        Assert.Equal(1.0, Assert.Single(result.Output).Properties["BackgroundPurity"].Value);
        Assert.Equal(2, result.Errors.Count);
        Assert.All(result.Errors, e => Assert.StartsWith("LayoutMissing,", e.FullyQualifiedErrorId));
        Assert.Contains("carries no part layout", result.Errors[0].ToString());
    }

    [Fact]
    public void RowsRenderFromTheirLayoutOrAnInitImageAndBadStrengthsOrImagesFailTheirRowOnly()
    {
        using var dir = new TempDirectory();
        TestImages.WritePng(dir.File("start.png"), 128, 128);
        TestImages.WritePng(dir.File("small.png"), 64, 64);
        File.WriteAllText(dir.File("broken.png"), "not a png");
        using var ps = new PowerShellSession(dir.Path);
        var result = ps.Run("""
            function Strength($image) { ($image.Image.Parameters.Extra | Where-Object Key -eq 'Denoising strength').Value }
            function Start($image) { ($image.Image.Parameters.Extra | Where-Object Key -eq 'Init image').Value }
            @(
                [pscustomobject]@{ Name = 'Guided'; Prompt = 'drone'; Parts = $drone }
                [pscustomobject]@{ Name = 'Half'; Prompt = 'drone'; Parts = $drone; LayoutStrength = '0.5' }
                [pscustomobject]@{ Name = 'Free'; Prompt = 'drone'; LayoutStrength = '0.5' }
                [pscustomobject]@{ Name = 'FromFile'; Prompt = 'drone'; InitImage = 'start.png'; Strength = '0.6' }
                [pscustomobject]@{ Name = 'TooStrong'; Prompt = 'drone'; Parts = $drone; LayoutStrength = '1.5' }
                [pscustomobject]@{ Name = 'Words'; Prompt = 'drone'; Parts = $drone; LayoutStrength = 'strong' }
                [pscustomobject]@{ Name = 'Missing'; Prompt = 'drone'; InitImage = 'nowhere.png' }
                [pscustomobject]@{ Name = 'Broken'; Prompt = 'drone'; InitImage = 'broken.png' }
                [pscustomobject]@{ Name = 'Small'; Prompt = 'drone'; InitImage = 'small.png' }
            ) | New-ExplodedView -ModelPath $m -Width 128 -Height 128 -Steps 4 -Seed 3 -Verbose | ForEach-Object { '{0}|{1}|{2}' -f $_.Name, (Strength $_), (Start $_) }
            """, Variables);

        Assert.Equal(["Guided|0.75|layout", "Half|0.5|layout", "Free||", "FromFile|0.6|start.png"], result.Output.Select(o => (string)o.BaseObject));
        Assert.Equal(["TooStrong", "Words", "Missing", "Broken", "Small"], result.Errors.Select(e => (string)((PSObject)e.TargetObject).Properties["Name"].Value));
        Assert.All(result.Errors, e => Assert.StartsWith("InvalidRenderRow,", e.FullyQualifiedErrorId));
        Assert.Equal(["LayoutStrength", "LayoutStrength", "InitImage", "InitImage", "InitImage"],
            result.Errors.Select(e => Assert.IsAssignableFrom<ArgumentException>(e.Exception).ParamName));
        Assert.Contains("does not exist", result.Errors[2].ToString());
        Assert.Contains("is 64x64 but the render is 128x128", result.Errors[4].ToString());
        // What -WhatIf shows is the action ShouldProcess reports (here as its verbose line).
        Assert.Contains(result.Verbose, v => v.Message.Contains("from the layout's guide at strength 0.75"));
        Assert.Contains(result.Verbose, v => v.Message.Contains("start.png' at strength 0.6"));
    }
}
