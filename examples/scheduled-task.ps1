#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Non-interactive nightly catalogue render, for Windows Task Scheduler or cron, logging to a file.
.DESCRIPTION
    Register on Windows (runs at 02:00 as the current user, whether or not anyone is logged on):
        $action  = New-ScheduledTaskAction -Execute 'pwsh.exe' -Argument "-NoProfile -NonInteractive -File `"$PWD\examples\scheduled-task.ps1`""
        $trigger = New-ScheduledTaskTrigger -Daily -At 2am
        Register-ScheduledTask -TaskName 'NanoBanana catalogue' -Action $action -Trigger $trigger
    Register on Linux with cron (crontab -e):
        0 2 * * * NANOBANANA_MODEL=/models/sdxl-base-onnx /usr/bin/pwsh -NoProfile -NonInteractive -File /opt/catalogue/examples/scheduled-task.ps1 >/dev/null 2>&1
    A run resumes an interrupted one (New-ExplodedView -Resume and the run record in <OutputDirectory>/renders/.nanobanana-run):
    rows rendered with the same settings are not rendered again, every render without its final (upscaled,
    sharpened) image is finished, and a row whose prompt, seed or settings changed is rendered anew. The log ends with
    Get-RenderRun's summary of the whole run and every failed row with its error id.
    Uses the NanoBanana module already loaded, else the one built beside this script (../artifacts/module/NanoBanana).
    Exit code: 0 when every row rendered, 1 when some rows failed (see the log), 2 when the run could not start.
#>
[CmdletBinding()]
param(
    [string] $Catalogue = (Join-Path $PSScriptRoot 'products.csv'),
    [string] $OutputDirectory = (Join-Path $PSScriptRoot '..' 'out' 'nightly'),
    [string] $LogPath = (Join-Path $PSScriptRoot '..' 'out' 'nightly.log'),
    [string] $ModelPath = $env:NANOBANANA_MODEL
)

$ProgressPreference = 'SilentlyContinue'   # no console to draw progress on
$ErrorActionPreference = 'Stop'

function Write-Log([string] $Message) {
    $line = '{0:u} {1}' -f (Get-Date), $Message
    Add-Content -LiteralPath $LogPath -Value $line
}

try {
    New-Item -ItemType Directory -Force -Path (Split-Path $LogPath) | Out-Null
    if (-not (Get-Module NanoBanana)) { Import-Module (Join-Path $PSScriptRoot '..' 'artifacts' 'module' 'NanoBanana' 'NanoBanana.psd1') }
    if (-not $ModelPath) { throw 'Set NANOBANANA_MODEL to a diffusers/Optimum ONNX export folder.' }
    if (-not (Test-NanoBananaModel -Path $ModelPath -Quiet)) { throw "The model at $ModelPath failed Test-NanoBananaModel; run it interactively for details." }
    $renders = Join-Path $OutputDirectory 'renders'
    Write-Log "Start: $Catalogue with $ModelPath"
}
catch {
    Write-Log "Could not start: $_"
    exit 2
}

$failures = @()
# One pass: render what the record does not show as done, then upscale and sharpen; a row rendered on an earlier night
# but never finished is handed on from its file (its Elapsed starts at zero), so only the later stages run for it.
Import-Csv -Path $Catalogue |
    New-ExplodedView -ModelPath $ModelPath -OutputDirectory $renders -Resume -ErrorAction SilentlyContinue -ErrorVariable +failures |
    ForEach-Object {
        if ($_.Elapsed -gt [TimeSpan]::Zero) { Write-Log ('Rendered {0} -> {1} in {2:0.0}s' -f $_.Name, $_.Path, $_.Elapsed.TotalSeconds) }
        $_
    } |
    Invoke-Upscale -Scale 2 -ErrorAction SilentlyContinue -ErrorVariable +failures |
    Optimize-Sharpness -Factor 2 -OutputDirectory $OutputDirectory -ErrorAction SilentlyContinue -ErrorVariable +failures |
    ForEach-Object { Write-Log ('Finished {0} -> {1} in {2:0.0}s (upscale and sharpen)' -f $_.Name, $_.Path, $_.Elapsed.TotalSeconds) }

foreach ($failure in $failures) {
    Write-Log "FAILED [$($failure.FullyQualifiedErrorId)] $($failure.TargetObject): $failure"
}
# The run as recorded across nights: rows still pending were interrupted before they finished.
$run = Import-Csv -Path $Catalogue | Get-RenderRun $renders
foreach ($failure in $run.Failures) { Write-Log "Failed row $($failure.Name) at $($failure.Stage): [$($failure.ErrorId)] $($failure.Error)" }
Write-Log "Run: $run. Done: $($failures.Count) failure(s)."
exit ([int]($failures.Count -gt 0 -or $run.Failed -gt 0))
