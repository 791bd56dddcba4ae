#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Packages the assembled module as PowerShell users install modules.
.DESCRIPTION
    From the module folder the build assembles (artifacts/module/NanoBanana), writes into -OutputDirectory:
      NanoBanana-<version>-<rid>.zip   one per platform: the module with only that platform's native libraries
      NanoBanana.<version>.nupkg       every listed platform, made by Publish-PSResource (PSResourceGet, bundled
                                       with pwsh 7.4+) into -OutputDirectory as a local folder repository, so
                                       Register-PSResourceRepository on that folder and Install-PSResource install it
    No .pdb file is packaged. Writes the files it made.
.EXAMPLE
    ./tools/New-ModulePackage.ps1 -ModuleDirectory artifacts/module/NanoBanana -OutputDirectory artifacts/packages
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleDirectory,
    [Parameter(Mandatory)] [string] $OutputDirectory,
    [string[]] $Runtime = @('linux-x64', 'win-x64', 'osx-arm64')
)

$ErrorActionPreference = 'Stop'
$ModuleDirectory = (Resolve-Path $ModuleDirectory).Path
$OutputDirectory = [IO.Path]::GetFullPath($OutputDirectory)
$version = (Import-PowerShellDataFile (Join-Path $ModuleDirectory 'NanoBanana.psd1')).ModuleVersion
New-Item -ItemType Directory -Force -Path $OutputDirectory | Out-Null

# A copy of the module with the native folders of $Rids only (a RID and its family, e.g. osx-arm64 and osx), no .pdb.
function New-Stage([string[]] $Rids) {
    $stage = Join-Path ([IO.Path]::GetTempPath()) "nanobanana-package-$([guid]::NewGuid())" 'NanoBanana'
    $keep = $Rids + ($Rids | ForEach-Object { ($_ -split '-')[0] }) | Select-Object -Unique
    $runtimes = [IO.Path]::Combine($ModuleDirectory, 'Dependencies', 'runtimes') + [IO.Path]::DirectorySeparatorChar
    foreach ($file in Get-ChildItem -LiteralPath $ModuleDirectory -Recurse -File) {
        if ($file.Extension -eq '.pdb') { continue }
        if ($file.FullName.StartsWith($runtimes) -and $file.FullName.Substring($runtimes.Length).Split([IO.Path]::DirectorySeparatorChar)[0] -notin $keep) { continue }
        $target = Join-Path $stage $file.FullName.Substring($ModuleDirectory.Length)
        New-Item -ItemType Directory -Force -Path (Split-Path $target) | Out-Null
        Copy-Item -LiteralPath $file.FullName -Destination $target
    }
    $stage
}

foreach ($rid in $Runtime) {
    $stage = New-Stage @($rid)
    $zip = Join-Path $OutputDirectory "NanoBanana-$version-$rid.zip"
    Compress-Archive -Path $stage -DestinationPath $zip -Force
    Remove-Item (Split-Path $stage) -Recurse -Force
    Get-Item $zip
}

$stage = New-Stage $Runtime
$repository = "NanoBananaPackage-$([guid]::NewGuid().ToString('n'))"
Register-PSResourceRepository -Name $repository -Uri $OutputDirectory -Trusted
try {
    Remove-Item (Join-Path $OutputDirectory "NanoBanana.$version.nupkg") -ErrorAction Ignore
    Publish-PSResource -Path $stage -Repository $repository
}
finally {
    Unregister-PSResourceRepository -Name $repository
    Remove-Item (Split-Path $stage) -Recurse -Force
}
Get-Item (Join-Path $OutputDirectory "NanoBanana.$version.nupkg")
