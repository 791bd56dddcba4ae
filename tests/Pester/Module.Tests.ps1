# The module as a session uses it over time: imported again and again (Pester suites, developers), removed.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

Describe 'Importing the module again' {
    It 'leaves every cmdlet working after Import-Module -Force (nested scope and top level, twice) and Remove-Module + Import-Module' {
        $model = Join-Path $TestDrive 'tiny'
        $script = @'
$ErrorActionPreference = 'Stop'
$m = $args[0]; $model = $args[1]; $out = $args[2]
Import-Module $m
& { Import-Module $m -Force }      # what a Pester BeforeAll does after the session imported the module
Import-Module $m -Force
Import-Module $m -Force
Remove-Module NanoBanana
Import-Module $m
$null = New-SyntheticModel -Path $model -Architecture SDXL -Size Tiny -Seed 3
$r = New-ExplodedView 'a drone' -Name drone -Seed 5 -Width 64 -Height 64 -Steps 2 -ModelPath $model -OutputDirectory $out
$s = $r | Optimize-Sharpness -Factor 2 -OutputDirectory (Join-Path $out 'sharp')
$c = Compare-RenderImage -ReferencePath $r.Path -DifferencePath $r.Path
$null = Get-RenderMetadata -LiteralPath $s.Path
$null = Get-RenderNoise -Seed 1 -Width 64 -Height 64
$null = Get-SchedulerTimestep -ModelPath $model -Steps 4
$null = Test-NanoBananaModel -Path $model -Quiet
$null = Get-NanoBananaSession; $null = Get-Lora; $null = Get-NanoBananaEnvironment
'OK {0} {1}' -f $c.Ssim, (Get-Module NanoBanana).ExportedCmdlets.Count
'@
        Set-Content -LiteralPath (Join-Path $TestDrive 'reimport.ps1') -Value $script
        $output = Invoke-FreshPwsh -File (Join-Path $TestDrive 'reimport.ps1') $ModuleManifest $model (Join-Path $TestDrive 'out') 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($output | Out-String)
        @($output)[-1] | Should -Be ('OK 1 {0}' -f (Get-Module NanoBanana).ExportedCmdlets.Count)
    }
}
