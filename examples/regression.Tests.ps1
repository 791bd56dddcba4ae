<#
    Pester 5 regression suite for catalogue renders: re-renders each product and compares it with its
    approved (golden) image. Run it as:
        Invoke-Pester ./examples/regression.Tests.ps1 -Output Detailed
    Without $env:NANOBANANA_MODEL it renders on the tiny synthetic SDXL (New-SyntheticModel -Seed 7), whose
    goldens are committed in ./golden/tiny-sdxl-seed7/. With a real model the goldens are looked for in
    ./golden/<model folder name>/; a product without one is skipped with the reason and the command that
    approves it (copy the reviewed render there). The render is deterministic for a given model, seed and
    parameters; the tolerances absorb a different CPU or ONNX Runtime version.
    Uses the NanoBanana module already loaded, else the one built beside this script.
#>
param(
    [string] $Catalogue = (Join-Path $PSScriptRoot 'products.csv'),
    [string] $GoldenDirectory
)

BeforeDiscovery {
    $products = Import-Csv $Catalogue
}

BeforeAll {
    if (-not (Get-Module NanoBanana)) { Import-Module (Join-Path $PSScriptRoot '..' 'artifacts' 'module' 'NanoBanana' 'NanoBanana.psd1') }
    $modelPath = $env:NANOBANANA_MODEL
    if ($modelPath) { $goldenName = Split-Path -Leaf $modelPath }
    else {
        # CI without a real model: the synthetic model keeps the suite meaningful (same code paths, random weights).
        $modelPath = Join-Path $TestDrive 'tiny-sdxl'
        New-SyntheticModel -Path $modelPath -Architecture SDXL -Size Tiny -Seed 7 | Out-Null
        $goldenName = 'tiny-sdxl-seed7'
    }
    if (-not $GoldenDirectory) { $GoldenDirectory = Join-Path $PSScriptRoot 'golden' $goldenName }
}

Describe 'Catalogue render <_.Name>' -ForEach $products {
    BeforeAll {
        $golden = Join-Path $GoldenDirectory "$($_.Name).png"
        $render = $_ | New-ExplodedView -ModelPath $modelPath -Width 64 -Height 64 -Steps 4 -OutputDirectory $TestDrive -Force
    }

    It 'renders at the requested size with its seed recorded' {
        $render.Width | Should -Be 64
        $render.Seed | Should -Be ([long]$_.Seed)
        (Get-RenderMetadata -LiteralPath $render.Path).Seed | Should -Be ([long]$_.Seed)
    }

    It 'matches the approved golden image' {
        if (-not (Test-Path -LiteralPath $golden)) {
            Set-ItResult -Skipped -Because "no approved golden at $golden (approve the render after review: Copy-Item '$($render.Path)' '$golden')"
            return
        }
        $comparison = Compare-RenderImage -ReferencePath $golden -DifferencePath $render.Path -DiffImagePath (Join-Path $TestDrive "$($_.Name)-diff.png")
        $comparison.Ssim | Should -BeGreaterThan 0.98
        $comparison.Psnr | Should -BeGreaterThan 35
        $comparison.DifferentPixelFraction | Should -BeLessThan 0.05
    }
}
