<#
    Pester 5 regression suite for catalogue renders: re-renders each golden product and compares it with
    the approved image. Run where Pester is installed:
        Invoke-Pester ./examples/regression.Tests.ps1 -Output Detailed
    Approve new goldens by copying a render into ./golden/ after review. The render is deterministic for a
    given model, seed and parameters, so an unchanged setup reproduces the golden bit for bit; the
    tolerances absorb a different CPU/GPU or ONNX Runtime version.
#>
BeforeDiscovery {
    $script:Products = Import-Csv (Join-Path $PSScriptRoot 'products.csv')
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '..' 'artifacts' 'module' 'NanoBanana' 'NanoBanana.psd1') -Force
    $script:ModelPath = $env:NANOBANANA_MODEL
    if (-not $script:ModelPath) {
        # CI without a real model: the synthetic model keeps the suite meaningful (same code paths, random weights).
        $script:ModelPath = Join-Path $TestDrive 'tiny-sdxl'
        New-SyntheticModel -Path $script:ModelPath -Architecture SDXL -Size Tiny -Seed 7 | Out-Null
    }
    $script:GoldenDirectory = Join-Path $PSScriptRoot 'golden'
}

Describe 'Catalogue render <Name>' -ForEach $Products {
    BeforeAll {
        $script:Golden = Join-Path $GoldenDirectory "$($_.Name).png"
        $script:Render = $_ | New-ExplodedView -ModelPath $ModelPath -Width 64 -Height 64 -Steps 4 -OutputDirectory $TestDrive -Force
    }

    It 'renders at the requested size with its seed recorded' {
        $Render.Width | Should -Be 64
        $Render.Seed | Should -Be ([long]$_.Seed)
        (Get-RenderMetadata -LiteralPath $Render.Path).Seed | Should -Be ([long]$_.Seed)
    }

    It 'matches the approved golden image' -Skip:(-not (Test-Path $Golden)) {
        $comparison = Compare-RenderImage -ReferencePath $Golden -DifferencePath $Render.Path -DiffImagePath (Join-Path $TestDrive "$($_.Name)-diff.png")
        $comparison.Ssim | Should -BeGreaterThan 0.98
        $comparison.Psnr | Should -BeGreaterThan 35
        $comparison.DifferentPixelFraction | Should -BeLessThan 0.05
    }
}
