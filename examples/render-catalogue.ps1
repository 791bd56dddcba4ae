<#
.SYNOPSIS
    Renders the product catalogue: one exploded-view / knolling image per CSV row, upscaled 2x, sharpened and labelled.
.DESCRIPTION
    The module's main job, end to end:
        Import-Csv products.csv | New-ExplodedView | Invoke-Upscale -Scale 2 | Optimize-Sharpness -Factor 2 | Add-PartLabel
    Rows with structured parts come out as laid-out sheets (the parts' boxes never overlap, the background is
    plain white, the names are drawn at the final size); Measure-ExplodedView prints each sheet's measures.
    With no -ModelPath and no $env:NANOBANANA_MODEL, it builds the tiny synthetic SDXL model (random
    weights: the images are noise-like patterns, proving the pipeline, not the art) and renders at 256x256.
    Point it at a real diffusers/Optimum ONNX export to get real renders:
        $env:NANOBANANA_MODEL = '/models/sdxl-base-1.0-onnx'
    Runs in pwsh (Import-Module ./artifacts/module/NanoBanana) and in the repository's launcher
    (dotnet run --project src/NanoBanana.Launcher), so it uses only core language and module commands.
#>
[CmdletBinding()]
param(
    [string] $Catalogue = [IO.Path]::Combine($PSScriptRoot, 'products.csv'),
    [string] $OutputDirectory = [IO.Path]::Combine($PSScriptRoot, '..', 'out'),
    [string] $ModelPath = $env:NANOBANANA_MODEL,
    [int] $Steps = 30,
    [int] $Size = 1024
)

$ErrorActionPreference = 'Stop'
$OutputDirectory = [IO.Path]::GetFullPath($OutputDirectory)

if (-not $ModelPath) {
    # No real model configured: the synthetic tiny SDXL has the real layout and I/O but random weights.
    $ModelPath = [IO.Path]::Combine($OutputDirectory, 'models', 'tiny-sdxl')
    if (-not [IO.File]::Exists([IO.Path]::Combine($ModelPath, 'model_index.json'))) {
        New-SyntheticModel -Path $ModelPath -Architecture SDXL -Size Tiny -Seed 7 | Out-Null
    }
    $Size = 256
    $Steps = 8
}

# Per-row problems (an empty description, a bad seed) are reported and the other rows still render.
$ErrorActionPreference = 'Continue'
$catalogueDirectory = [IO.Path]::Combine($OutputDirectory, 'catalogue')
$sheets = Import-Csv -Path $Catalogue |
    New-ExplodedView -ModelPath $ModelPath -Width $Size -Height $Size -Steps $Steps -OutputDirectory ([IO.Path]::Combine($OutputDirectory, 'renders')) -Force |
    Invoke-Upscale -Scale 2 |
    ForEach-Object {
        # Laid-out sheets (rows with parts) get their part names at the final size; free compositions pass as they are.
        if ($_.Layout) { $_ | Optimize-Sharpness -Factor 2 | Add-PartLabel -OutputDirectory $catalogueDirectory -Force }
        else { $_ | Optimize-Sharpness -Factor 2 -OutputDirectory $catalogueDirectory -Force }
    }
$sheets
$sheets | Where-Object { $_.Layout } | Measure-ExplodedView
