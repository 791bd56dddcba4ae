<#
.SYNOPSIS
    Renders one shard of a catalogue, recorded and resumable: the worker script of every scale-out recipe here.
.DESCRIPTION
    Select-CatalogueShard takes the shard from the scheduler (Slurm array: SLURM_ARRAY_TASK_ID; Kubernetes Indexed
    Job: JOB_COMPLETION_INDEX with NANOBANANA_SHARD_COUNT; else NANOBANANA_SHARD_INDEX/NANOBANANA_SHARD_COUNT, or
    -ShardIndex/-ShardCount here). New-ExplodedView -Resume skips rows the run record in <OutputDirectory>/.nanobanana-run
    says are done with the same settings, so a resubmitted or restarted worker only does what is left.
    Exit code: 0 when every row of the shard is done, 1 when some failed (Get-RenderRun lists them), 2 when it could not start.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Catalogue,
    [Parameter(Mandatory)] [string] $OutputDirectory,
    [string] $ModelPath = $env:NANOBANANA_MODEL,
    [int] $ShardIndex = -1,
    [int] $ShardCount = 0,
    # The module to import when it is not loaded yet: a manifest path, or the name of an installed module.
    [string] $Module = $(if ($env:NANOBANANA_MODULE) { $env:NANOBANANA_MODULE } else { 'NanoBanana' })
)

$ProgressPreference = 'SilentlyContinue'   # batch jobs have no console to draw progress on
try {
    if (-not (Get-Module NanoBanana)) { Import-Module $Module -ErrorAction Stop }
    $shard = if ($ShardCount -gt 0) { @{ ShardIndex = $ShardIndex; ShardCount = $ShardCount } } else { @{} }
    $rows = @(Import-Csv -Path $Catalogue | Select-CatalogueShard @shard -ErrorAction Stop)
}
catch {
    Write-Error "Could not start: $_" -ErrorAction Continue
    exit 2
}

$failures = @()
$rows | New-ExplodedView -ModelPath $ModelPath -OutputDirectory $OutputDirectory -Resume -ErrorAction SilentlyContinue -ErrorVariable +failures |
    ForEach-Object { Write-Output ("{0:u} rendered {1} in {2:n1}s" -f (Get-Date), $_.Name, $_.Elapsed.TotalSeconds) }
foreach ($failure in $failures) { Write-Output "FAILED [$($failure.FullyQualifiedErrorId)] $($failure.TargetObject.Name): $failure" }
Write-Output "$(hostname) shard $($rows[0].NanoBananaShard): $($rows.Count) row(s), $($failures.Count) failure(s)"
exit $(if ($failures.Count) { 1 } else { 0 })
