#!/usr/bin/env pwsh
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
    Uses the NanoBanana module already loaded, else the one built beside this script
    (../artifacts/module/NanoBanana). Exit code 1 when any row failed.
#>
[CmdletBinding()]
param(
    [string] $Catalogue = (Join-Path $PSScriptRoot 'products.csv'),
    [string] $OutputDirectory = (Join-Path $PSScriptRoot '..' 'out'),
    [string] $ModelPath = $env:NANOBANANA_MODEL,
    [int] $Steps = 30,
    [int] $Size = 1024
)

$ErrorActionPreference = 'Stop'
if (-not (Get-Module NanoBanana)) { Import-Module (Join-Path $PSScriptRoot '..' 'artifacts' 'module' 'NanoBanana' 'NanoBanana.psd1') }
$OutputDirectory = [IO.Path]::GetFullPath($OutputDirectory)

if (-not $ModelPath) {
    # No real model configured: the synthetic tiny SDXL has the real layout and I/O but random weights.
    $ModelPath = Join-Path $OutputDirectory 'models' 'tiny-sdxl'
    if (-not (Test-Path (Join-Path $ModelPath 'model_index.json'))) {
        New-SyntheticModel -Path $ModelPath -Architecture SDXL -Size Tiny -Seed 7 | Out-Null
    }
    $Size = 256
    $Steps = 8
}

# Per-row problems (an empty description, a bad seed) are reported and the other rows still render.
$catalogueDirectory = Join-Path $OutputDirectory 'catalogue'
$sheets = Import-Csv -Path $Catalogue |
    New-ExplodedView -ModelPath $ModelPath -Width $Size -Height $Size -Steps $Steps -OutputDirectory (Join-Path $OutputDirectory 'renders') -Force -ErrorAction Continue -ErrorVariable +failed |
    Invoke-Upscale -Scale 2 -ErrorAction Continue -ErrorVariable +failed |
    ForEach-Object {
        # Laid-out sheets (rows with parts) get their part names at the final size; free compositions pass as they are.
        if ($_.Layout) { $_ | Optimize-Sharpness -Factor 2 -ErrorAction Continue -ErrorVariable +failed | Add-PartLabel -OutputDirectory $catalogueDirectory -Force -ErrorAction Continue -ErrorVariable +failed }
        else { $_ | Optimize-Sharpness -Factor 2 -OutputDirectory $catalogueDirectory -Force -ErrorAction Continue -ErrorVariable +failed }
    }
$sheets
$sheets | Where-Object { $_.Layout } | Measure-ExplodedView

if ($failed) { exit 1 }
