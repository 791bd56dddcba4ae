<#
.SYNOPSIS
    Fans a catalogue out with PowerShell alone: one worker per local GPU (ForEach-Object -Parallel), or one per
    machine over SSH remoting (Invoke-Command -HostName). Every worker renders its shard into one shared output
    folder with its own run record file; run it again to finish what a stopped worker left (-Resume).
.EXAMPLE
    ./fan-out.ps1 -Catalogue products.csv -OutputDirectory out -Gpus 0,1,2,3
    Four local workers, worker i on CUDA device i (CUDA_VISIBLE_DEVICES), shards 0..3 of 4.
.EXAMPLE
    ./fan-out.ps1 -Catalogue /shared/products.csv -OutputDirectory /shared/out -HostName gpu01, gpu02
    One worker per machine over SSH remoting (pwsh and the module installed on each; paths on shared storage).
#>
[CmdletBinding(DefaultParameterSetName = 'Local')]
param(
    [Parameter(Mandatory)] [string] $Catalogue,
    [Parameter(Mandatory)] [string] $OutputDirectory,
    [string] $ModelPath = $env:NANOBANANA_MODEL,
    [Parameter(ParameterSetName = 'Local')] [int[]] $Gpus = @(0),
    [Parameter(Mandatory, ParameterSetName = 'Remote')] [string[]] $HostName
)

if (-not (Get-Module NanoBanana)) { Import-Module $(if ($env:NANOBANANA_MODULE) { $env:NANOBANANA_MODULE } else { 'NanoBanana' }) }
$worker = Join-Path $PSScriptRoot 'render-shard.ps1'
if ($PSCmdlet.ParameterSetName -eq 'Local') {
    $count = $Gpus.Count
    $results = 0..($count - 1) | ForEach-Object -ThrottleLimit $count -Parallel {
        # Each parallel runspace is its own thread of one process, so the device is chosen per worker process:
        # start pwsh per GPU, with only that GPU visible, and the shard given explicitly.
        $gpu = ($using:Gpus)[$_]
        $env:CUDA_VISIBLE_DEVICES = "$gpu"
        # $PSHOME/pwsh, not this process's path: run as a .NET tool, that is 'dotnet'.
        & (Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')) -NoProfile -NonInteractive -File $using:worker -Catalogue $using:Catalogue `
            -OutputDirectory $using:OutputDirectory -ModelPath $using:ModelPath -ShardIndex $_ -ShardCount $using:count | Write-Host
        [pscustomobject]@{ Shard = $_; Gpu = $gpu; ExitCode = $LASTEXITCODE }
    }
}
else {
    $count = $HostName.Count
    $script = Get-Content -Raw $worker
    $results = for ($i = 0; $i -lt $count; $i++) {
        # -AsJob: the machines work at once; each runs the worker script with its own shard.
        Invoke-Command -HostName $HostName[$i] -AsJob -ScriptBlock ([scriptblock]::Create($script)) `
            -ArgumentList $Catalogue, $OutputDirectory, $ModelPath, $i, $count
    }
    $results = $results | Receive-Job -Wait -AutoRemoveJob
}
$results
$run = Import-Csv $Catalogue | Get-RenderRun $OutputDirectory
$run.Shards | Format-Table | Out-String | Write-Host
$run.Failures | Format-Table Name, Shard, Stage, ErrorId | Out-String | Write-Host
exit $(if ($run.Failed -or $run.Pending) { 1 } else { 0 })
