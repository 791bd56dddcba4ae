# Shared by the Pester suites (dot-sourced in BeforeAll; not a suite itself).
$RepositoryRoot = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..'))
$ModuleManifest = Join-Path $RepositoryRoot 'artifacts' 'module' 'NanoBanana' 'NanoBanana.psd1'
if (-not (Get-Module NanoBanana)) { Import-Module $ModuleManifest }

# A new pwsh process, for what must start clean (a first import, a script run as a scheduler runs it). Under
# 'dotnet pwsh' the process is dotnet running pwsh.dll from $PSHOME, so the same pwsh is started that way.
function Invoke-FreshPwsh {
    $exe = [Environment]::ProcessPath
    $prefix = @()
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $prefix = @(Join-Path $PSHOME 'pwsh.dll') }
    & $exe @prefix -NoProfile -NonInteractive @args
}
