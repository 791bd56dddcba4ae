# The example scripts as users run them: each in a fresh pwsh that has not imported the module, as a scheduler
# or CI starts them.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $examples = Join-Path $RepositoryRoot 'examples'
    $model = Join-Path $TestDrive 'tiny-sdxl'
    $null = New-SyntheticModel -Path $model -Architecture SDXL -Size Tiny -Seed 5
}

Describe 'examples/regression.Tests.ps1' {
    It 'fails exactly the products whose goldens were swapped' {
        # Two products of the catalogue, their goldens swapped (the full suite runs on its own in the test run).
        $catalogue = Join-Path $TestDrive 'two.csv'
        Import-Csv (Join-Path $examples 'products.csv') | Where-Object Name -In 'AeroDrone X4', 'Lumen Desk Lamp' | Export-Csv $catalogue
        $goldens = Join-Path $TestDrive 'swapped'
        Copy-Item (Join-Path $examples 'golden' 'tiny-sdxl-seed7') $goldens -Recurse
        Move-Item (Join-Path $goldens 'AeroDrone X4.png') (Join-Path $goldens 'swap.png')
        Move-Item (Join-Path $goldens 'Lumen Desk Lamp.png') (Join-Path $goldens 'AeroDrone X4.png')
        Move-Item (Join-Path $goldens 'swap.png') (Join-Path $goldens 'Lumen Desk Lamp.png')
        $run = @'
$ErrorActionPreference = 'Stop'
Import-Module $args[0]
$container = New-PesterContainer -Path $args[1] -Data @{ GoldenDirectory = $args[2]; Catalogue = $args[3] }
$result = Invoke-Pester -Container $container -PassThru -Output None
$result.Failed | ForEach-Object { $_.ExpandedPath }
'passed {0} failed {1} skipped {2}' -f $result.PassedCount, $result.FailedCount, $result.SkippedCount
'@
        Set-Content -LiteralPath (Join-Path $TestDrive 'swap.ps1') -Value $run
        $output = @(Invoke-FreshPwsh -File (Join-Path $TestDrive 'swap.ps1') (Join-Path (Get-Module Pester).ModuleBase 'Pester.psd1') (Join-Path $examples 'regression.Tests.ps1') $goldens $catalogue 2>&1)
        $LASTEXITCODE | Should -Be 0 -Because ($output | Out-String)
        $output[-1] | Should -Be 'passed 2 failed 2 skipped 0'
        $output[0..1] | Should -Be 'Catalogue render AeroDrone X4.matches the approved golden image', 'Catalogue render Lumen Desk Lamp.matches the approved golden image'
    }
}

Describe 'examples/render-catalogue.ps1' {
    It 'imports the module beside it, renders the good rows and exits 1 for the bad one' {
        $catalogue = Join-Path $TestDrive 'catalogue.csv'
        "Name,Description,Seed`nKettle,a kettle,4`nNothing,,5" | Set-Content -LiteralPath $catalogue
        $out = Join-Path $TestDrive 'out'
        $output = Invoke-FreshPwsh -File (Join-Path $examples 'render-catalogue.ps1') -Catalogue $catalogue -OutputDirectory $out -ModelPath $model -Size 64 -Steps 2 2>&1
        $LASTEXITCODE | Should -Be 1 -Because ($output | Out-String)
        ($output | Out-String) | Should -Match "Row 'Nothing'"
        (Get-ChildItem (Join-Path $out 'catalogue')).Name | Should -Be 'Kettle.png'
        $final = Join-Path $out 'catalogue' 'Kettle.png'
        (Compare-RenderImage -ReferencePath $final -DifferencePath $final).Width | Should -Be 128   # upscaled 2x
    }
}

Describe 'examples/scheduled-task.ps1' {
    BeforeAll {
        $catalogue = Join-Path $TestDrive 'nightly.csv'
        "Name,Description,Seed,Steps,Width,Height`nDrone,a drone,1,2,64,64`nLamp,a lamp,2,2,64,64" | Set-Content -LiteralPath $catalogue
        $out = Join-Path $TestDrive 'nightly'
        $log = Join-Path $TestDrive 'nightly.log'
        $nightly = Join-Path $examples 'scheduled-task.ps1'
        $first = Invoke-FreshPwsh -File $nightly -Catalogue $catalogue -OutputDirectory $out -LogPath $log -ModelPath $model 2>&1
        $firstExit = $LASTEXITCODE
    }

    It 'renders, finishes and logs real times' {
        $firstExit | Should -Be 0 -Because (($first | Out-String) + (Get-Content $log -Raw))
        (Get-ChildItem $out -Filter *.png).Name | Should -Be 'Drone.png', 'Lamp.png'
        $lines = Get-Content $log
        $lines | Where-Object { $_ -match 'Rendered Drone -> .* in (\d+\.\d)s$' } | Should -HaveCount 1
        $lines | Where-Object { $_ -match 'Finished Lamp -> .* in (\d+\.\d)s \(upscale and sharpen\)$' } | Should -HaveCount 1
        $lines[-1] | Should -Match 'Run: 2 done, 0 failed, 0 pending\. Done: 0 failure\(s\)\.$'
    }

    It 'resumes a night interrupted after the render: the missing final image is made, nothing is rendered again' {
        $render = Get-Item (Join-Path $out 'renders' 'Lamp.png')
        $rendered = $render.LastWriteTimeUtc
        Remove-Item (Join-Path $out 'Lamp.png')
        Clear-Content $log
        $output = Invoke-FreshPwsh -File $nightly -Catalogue $catalogue -OutputDirectory $out -LogPath $log -ModelPath $model 2>&1
        $LASTEXITCODE | Should -Be 0 -Because (($output | Out-String) + (Get-Content $log -Raw))
        Test-Path (Join-Path $out 'Lamp.png') | Should -BeTrue
        (Get-Item $render.FullName).LastWriteTimeUtc | Should -Be $rendered
        $lines = Get-Content $log
        $lines | Where-Object { $_ -match 'Rendered' } | Should -BeNullOrEmpty
        $lines | Where-Object { $_ -match 'Finished Lamp' } | Should -HaveCount 1
        $lines[-1] | Should -Match 'Done: 0 failure\(s\)\.$'
    }

    It 'exits 2 and says why when it cannot start' {
        $output = Invoke-FreshPwsh -File $nightly -Catalogue $catalogue -OutputDirectory $out -LogPath $log -ModelPath (Join-Path $TestDrive 'no-model') 2>&1
        $LASTEXITCODE | Should -Be 2 -Because ($output | Out-String)
        (Get-Content $log)[-1] | Should -Match 'Could not start: '
    }
}
