# The module as its users drive it from Pester: a catalogue CSV with bad rows, -WhatIf, -SkipExisting, goldens,
# every view, completion, help, LoRAs, sessions. Renders are 64x64 with two steps on the tiny synthetic SDXL.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $model = Join-Path $TestDrive 'tiny-sdxl'
    $null = New-SyntheticModel -Path $model -Architecture SDXL -Size Tiny -Seed 11
    $catalogue = Join-Path $TestDrive 'products.csv'
    @'
Name,Description,Seed,Steps,Width,Height,CfgScale
Drone,a drone,101,2,64,64,
Half Step,a lamp,102,2.5,64,64,
Wordy,a pack,103,ten,64,64,
Random Seed,a grinder,,2,64,64,
'@ | Set-Content -LiteralPath $catalogue
}

Describe 'A catalogue CSV with bad rows' {
    BeforeAll {
        $out = Join-Path $TestDrive 'renders'
        $renders = Import-Csv $catalogue | New-ExplodedView -ModelPath $model -OutputDirectory $out -ErrorVariable rowErrors -ErrorAction SilentlyContinue
    }

    It 'renders the good rows and reports each bad one by its row and field, with the row as target' {
        $renders.Name | Should -Be 'Drone', 'Random Seed'
        $rowErrors.Count | Should -Be 2
        $rowErrors.FullyQualifiedErrorId | ForEach-Object { $_ | Should -BeLike 'InvalidRenderRow,*' }
        "$($rowErrors[0])" | Should -Be "Row 'Half Step': Steps is '2.5'; use a whole number of denoising steps such as 30."
        "$($rowErrors[1])" | Should -Be "Row 'Wordy': Steps is 'ten'; use a whole number of denoising steps such as 30."
        $rowErrors[0].TargetObject.Name | Should -Be 'Half Step'
        (Get-ChildItem $out).Name | Should -Be 'Drone.png', 'Random Seed.png'
    }

    It 'takes an empty cell as not given: a random seed is drawn and recorded, CfgScale keeps its default' {
        $drawn = $renders | Where-Object Name -EQ 'Random Seed'
        $drawn.Seed | Should -Not -BeNullOrEmpty
        (Get-RenderMetadata -LiteralPath $drawn.Path).Seed | Should -Be $drawn.Seed
        $drawn.CfgScale | Should -Be 7.5
    }

    It 'binds numbers from objects as well as text, and still refuses 2.5 steps from a number' {
        $row = [pscustomobject]@{ Name = 'Typed'; Description = 'a drill'; Seed = 7; Steps = 2; Width = 64; Height = 64; CfgScale = 6.5 }
        ($row | New-ExplodedView -ModelPath $model).CfgScale | Should -Be 6.5
        $row.Steps = 2.5
        $row | New-ExplodedView -ModelPath $model -ErrorVariable typed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        "$typed" | Should -Be "Row 'Typed': Steps is '2.5'; use a whole number of denoising steps such as 30."
    }

    It 'shows the numeric parameters with their types, and -Force/-SkipExisting never come from a column' {
        $parameters = (Get-Command New-ExplodedView).Parameters
        $parameters.Seed.ParameterType | Should -Be ([Nullable[long]])
        $parameters.Steps.ParameterType | Should -Be ([Nullable[int]])
        $parameters.CfgScale.ParameterType | Should -Be ([Nullable[double]])
        foreach ($switch in 'Force', 'SkipExisting') {
            $parameters[$switch].Attributes.Where({ $_ -is [Parameter] }).ValueFromPipelineByPropertyName | Should -Not -Contain $true
        }
    }
}

Describe '-WhatIf and -SkipExisting' {
    It 'renders and writes nothing under -WhatIf' {
        $out = Join-Path $TestDrive 'whatif'
        Import-Csv $catalogue | Select-Object -First 1 | New-ExplodedView -ModelPath $model -OutputDirectory $out -WhatIf | Should -BeNullOrEmpty
        Test-Path $out | Should -BeFalse
    }

    It 'skips rows already rendered and renders the missing ones' {
        $out = Join-Path $TestDrive 'resume'
        $first = Import-Csv $catalogue | Select-Object -First 1 | New-ExplodedView -ModelPath $model -OutputDirectory $out
        $written = (Get-Item $first.Path).LastWriteTimeUtc
        $again = Import-Csv $catalogue | Where-Object Seed | Where-Object Steps -EQ 2 |
            New-ExplodedView -ModelPath $model -OutputDirectory $out -SkipExisting
        $again | Should -BeNullOrEmpty    # Drone exists; the other good row has no seed and is filtered out
        (Get-Item $first.Path).LastWriteTimeUtc | Should -Be $written
        [pscustomobject]@{ Name = 'New'; Description = 'a kettle'; Seed = 9; Steps = 2; Width = 64; Height = 64 } |
            New-ExplodedView -ModelPath $model -OutputDirectory $out -SkipExisting | ForEach-Object Name | Should -Be 'New'
    }
}

Describe 'Goldens compared with Compare-RenderImage' {
    BeforeAll {
        $row = [pscustomobject]@{ Name = 'Golden'; Description = 'a drone'; Seed = 1001; Steps = 2; Width = 64; Height = 64 }
        $golden = $row | New-ExplodedView -ModelPath $model -OutputDirectory (Join-Path $TestDrive 'golden')
    }

    It 'finds a re-render identical to its golden' {
        $render = $row | New-ExplodedView -ModelPath $model -OutputDirectory (Join-Path $TestDrive 'again')
        $comparison = Compare-RenderImage -ReferencePath $golden.Path -DifferencePath $render.Path
        $comparison.Ssim | Should -Be 1
        $comparison.MaxDifference | Should -Be 0
    }

    It 'finds another seed far from the golden' {
        $other = $row | Select-Object * -ExcludeProperty Seed | Add-Member Seed 2002 -PassThru |
            New-ExplodedView -ModelPath $model -OutputDirectory (Join-Path $TestDrive 'other')
        (Compare-RenderImage -ReferencePath $golden.Path -DifferencePath $other.Path).Ssim | Should -BeLessThan 0.9
    }
}

Describe 'Every view in NanoBanana.format.ps1xml' {
    BeforeAll {
        $lora = Join-Path $TestDrive 'view.safetensors'
        $render = New-ExplodedView 'a drone' -Name 'A product name long enough to be cut by a narrow column' -Seed 3 -Steps 2 -Width 64 -Height 64 -ModelPath $model -OutputDirectory (Join-Path $TestDrive 'views')
        # One producer per view type; a view without a producer here fails the last test.
        $producers = [ordered]@{
            'NanoBanana.RenderedImage'        = { $render }
            'NanoBanana.RenderComparison'     = { Compare-RenderImage -ReferencePath $render.Path -DifferencePath $render.Path }
            'NanoBanana.RenderNoise'          = { Get-RenderNoise -Seed 1 -Width 64 -Height 64 }
            'NanoBanana.SchedulerSchedule'    = { Get-SchedulerTimestep -ModelPath $model -Steps 4 }
            'NanoBanana.ModelCheckResult'     = { Test-NanoBananaModel -Path $model | Select-Object -First 1 }
            'NanoBanana.SyntheticModelInfo'   = { New-SyntheticModel -Path (Join-Path $TestDrive 'view-model') -Architecture SD15 -Size Tiny }
            'NanoBanana.RenderMemoryEstimate' = { Get-RenderMemoryEstimate -Width 512 -Height 512 }
            'NanoBanana.LoraInfo'             = { Add-Lora -Path $lora -Name view -PassThru }
            'NanoBanana.NanoBananaSession'    = { Get-NanoBananaSession }
            'NanoBanana.NanoBananaEnvironment' = { Get-NanoBananaEnvironment }
            'NanoBanana.LoadedLibrary'        = { (Get-NanoBananaEnvironment).Libraries }
            'NanoBanana.RenderMetadata'       = { Get-RenderMetadata -LiteralPath $render.Path }
            'NanoBanana.SyntheticLoraInfo'    = { New-SyntheticLora -ModelPath $model -Path $lora -Rank 2 }
            'NanoBanana.UpscaleModelInfo'     = { Import-UpscaleModel -ParamPath "$ncnn.param" -BinPath "$ncnn.bin" -Name pester-view -Force }
            'NanoBanana.RenderRunInfo'        = { [pscustomobject]@{ Name = 'A product name long enough to be cut by a narrow column' }, [pscustomobject]@{ Name = 'never rendered' } | Get-RenderRun (Join-Path $TestDrive 'views') }
            'NanoBanana.ExplodedViewMeasurement' = {
                [pscustomobject]@{ Name = 'Sheet'; Prompt = 'drone'; Parts = '<product name="drone"><part name="arm" count="2"/><part name="battery"/></product>' } |
                    New-ExplodedView -ModelPath $model -Width 256 -Height 256 -Steps 1 -Seed 1 | Measure-ExplodedView
            }
        }
        # The ncnn weights the build fetched with npm (absent where npm was not available).
        $ncnn = Join-Path $RepositoryRoot '.cache' 'upscayl' 'models' 'realesrgan-x4fast'
        $viewTypes = ([xml](Get-Content -Raw (Join-Path (Split-Path $ModuleManifest) 'NanoBanana.format.ps1xml'))).Configuration.ViewDefinitions.View.ViewSelectedBy.TypeName
    }
    AfterAll { Get-Lora | Remove-Lora }

    It 'renders <_> with its view, its labels and no formatting error' -ForEach @(
        'NanoBanana.RenderedImage', 'NanoBanana.RenderComparison', 'NanoBanana.RenderNoise', 'NanoBanana.SchedulerSchedule',
        'NanoBanana.ModelCheckResult', 'NanoBanana.SyntheticModelInfo', 'NanoBanana.RenderMemoryEstimate', 'NanoBanana.SyntheticLoraInfo',
        'NanoBanana.LoraInfo', 'NanoBanana.NanoBananaSession', 'NanoBanana.NanoBananaEnvironment', 'NanoBanana.LoadedLibrary', 'NanoBanana.RenderMetadata',
        'NanoBanana.ExplodedViewMeasurement', 'NanoBanana.RenderRunInfo',
        'NanoBanana.UpscaleModelInfo') {
        if ($_ -eq 'NanoBanana.UpscaleModelInfo' -and -not (Test-Path "$ncnn.param")) {
            Set-ItResult -Skipped -Because "the build found no npm to fetch the Real-ESRGAN ncnn files ($ncnn.param)"
            return
        }
        $objects = @(& $producers[$_])
        $objects.Count | Should -BeGreaterThan 0
        $objects[0].PSObject.TypeNames[0] | Should -Be $_
        $view = (Get-FormatData -TypeName $_).FormatViewDefinition[0].Control
        $text = $objects | Out-String -Width 100
        foreach ($label in @($view.Headers.Label) + @($view.Entries.Items.Label) | Where-Object { $_ }) { $text | Should -Match ([regex]::Escape($label)) }
        # -DisplayError/-ShowError print script-block failures that the default output hides.
        $shown = if ($view.Headers) { $objects | Format-Table -DisplayError | Out-String } else { $objects | Format-List -DisplayError | Out-String }
        $shown | Should -Not -Match '#ERR|Error'
    }

    It 'never cuts the compared file name of Compare-RenderImage' {
        $text = Compare-RenderImage -ReferencePath $render.Path -DifferencePath $render.Path | Out-String -Width 80
        ($text -replace '\s*\r?\n\s*', '') | Should -Match ([regex]::Escape((Split-Path -Leaf $render.Path)))
    }

    It 'has a producer in this suite for every view type' {
        $viewTypes | Where-Object { $_ -notin $producers.Keys } | Should -BeNullOrEmpty
    }
}

Describe 'Completion through TabExpansion2' {
    It 'completes <Line> with <Expected>' -ForEach @(
        @{ Line = 'New-ExplodedView -Style Kn'; Expected = 'Knolling' }
        @{ Line = 'New-ExplodedView -Scheduler DpmPlusPlus2MK'; Expected = 'DpmPlusPlus2MKarras' }
        @{ Line = 'New-ExplodedView -GuidanceBatching Com'; Expected = 'Combined' }
        @{ Line = 'New-ExplodedView -Ste'; Expected = '-Steps' }
        @{ Line = 'Open-NanoBananaSession -MemoryMode Bal'; Expected = 'Balanced' }
        @{ Line = 'Get-LoraW'; Expected = 'Get-LoraWeight' }
    ) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText | Should -Contain $Expected
    }
}

Describe 'Get-Help' {
    BeforeDiscovery {
        if (-not (Get-Module NanoBanana)) { Import-Module ([IO.Path]::Combine($PSScriptRoot, '..', '..', 'artifacts', 'module', 'NanoBanana', 'NanoBanana.psd1')) }
        $commands = (Get-Command -Module NanoBanana -CommandType Cmdlet).Name
    }

    It 'documents every parameter of <_> with a description and a default value' -ForEach $commands {
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        foreach ($name in (Get-Command $_).Parameters.Keys | Where-Object { $_ -notin $common }) {
            $help = Get-Help $_ -Parameter $name
            ($help.description.Text -join '').Trim() | Should -Not -BeNullOrEmpty -Because "-$name of $_ needs a description"
            "$($help.defaultValue)" | Should -Not -BeNullOrEmpty -Because "-$name of $_ needs a default value"
        }
    }

    It 'lists each related link of <_> once' -ForEach $commands {
        $text = Get-Help $_ -Full | Out-String -Width 200
        $section = ($text -split 'RELATED LINKS')[-1]
        foreach ($line in $section -split '\r?\n' | ForEach-Object Trim | Where-Object { $_ }) {
            $words = $line -split '\s+'
            ($words | Select-Object -Unique).Count | Should -Be $words.Count -Because "'$line' repeats itself"
        }
    }

    It 'shows real defaults' {
        (Get-Help New-ExplodedView -Parameter Steps).defaultValue | Should -Be '30'
        (Get-Help Add-Lora -Parameter Weight).defaultValue | Should -Be '0.8'
        (Get-Help Invoke-Upscale -Parameter Scale).defaultValue | Should -Be '2'
    }
}

Describe 'The LoRA family' {
    BeforeAll {
        $file = Join-Path $TestDrive 'detail.safetensors'
        $null = New-SyntheticLora -ModelPath $model -Path $file -Rank 2
    }
    AfterAll { Get-Lora | Remove-Lora }

    It 'adds, re-weights under -WhatIf and for real, lists under the old name too, and removes' {
        Add-Lora -Path $file -WhatIf
        Get-Lora | Should -BeNullOrEmpty
        (Add-Lora -Path $file -PassThru).Weight | Should -Be 0.8
        Set-LoraWeight -Name detail -Weight 0.2 -WhatIf
        (Get-Lora detail).Weight | Should -Be 0.8
        (Set-LoraWeight detail 0.2 -PassThru).Weight | Should -Be 0.2
        (Get-LoraWeight).Name | Should -Be 'detail'
        (Get-Alias Get-LoraWeight).ResolvedCommandName | Should -Be 'Get-Lora'
        (Get-Command Set-LoraWeight).Parameters.Keys | Should -Not -Contain 'Path'
        Remove-Lora detail
        Get-Lora | Should -BeNullOrEmpty
    }
}

Describe 'Sessions and devices' {
    AfterAll { Close-NanoBananaSession }

    It 'names Open-NanoBananaSession when no model is set' {
        $saved = $env:NANOBANANA_MODEL
        try {
            $env:NANOBANANA_MODEL = $null
            New-ExplodedView 'a drone' -Steps 2 -Width 64 -Height 64 -ErrorVariable notSet -ErrorAction SilentlyContinue
            $notSet[0].FullyQualifiedErrorId | Should -BeLike 'ModelNotSet,*'
            "$($notSet[0])" | Should -Match 'Open-NanoBananaSession'
        }
        finally { $env:NANOBANANA_MODEL = $saved }
    }

    It 'returns to Auto (resolved as a fresh engine resolves it) with no peak after Close-NanoBananaSession' {
        (Open-NanoBananaSession -ModelPath $model -Device Cpu).RequestedDevice | Should -Be 'Cpu'
        $null = New-ExplodedView 'a drone' -Seed 1 -Steps 2 -Width 64 -Height 64
        (Get-NanoBananaSession).PeakMemoryBytes | Should -BeGreaterThan 0
        Close-NanoBananaSession
        $session = Get-NanoBananaSession
        $session.RequestedDevice | Should -Be 'Auto'
        $session.Device | Should -Be (Get-NanoBananaEnvironment).DefaultDevice
        $session.PeakMemoryBytes | Should -BeNullOrEmpty
        $session.Model | Should -BeNullOrEmpty
    }

    It 'runs every session on the one thread pool of the ONNX Runtime environment it created' {
        # Nothing else in this process uses ONNX Runtime, so the module created the environment.
        (Get-NanoBananaEnvironment).SharedThreadPool | Should -BeTrue
        (Get-NanoBananaEnvironment | Format-List | Out-String) | Should -Match 'SharedThreadPool\s*:\s*True'
    }

    It 'says why CUDA is not used and refuses -Device Cuda with that reason' {
        $environment = Get-NanoBananaEnvironment
        $environment | Should -BeOfType ([NanoBanana.NanoBananaEnvironment])
        if ($environment.DefaultDevice -eq 'Cuda') {
            Set-ItResult -Skipped -Because 'CUDA runs on this machine, so there is no fallback to check'
            return
        }
        $environment.CudaUnavailableReason | Should -Not -BeNullOrEmpty
        { Open-NanoBananaSession -Device Cuda } | Should -Throw "*CUDA was requested but cannot run here: $($environment.CudaUnavailableReason)*" -ErrorId 'DeviceUnavailable,NanoBanana.PowerShell.Commands.OpenNanoBananaSessionCommand'
        # An image cmdlet refuses it per item, with the same id, and goes on.
        $image = New-ExplodedView 'a drone' -ModelPath $model -Seed 1 -Steps 1 -Width 64 -Height 64
        $image, $image | Invoke-Upscale -Device Cuda -ErrorVariable noCuda -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $noCuda.Count | Should -Be 2
        $noCuda.FullyQualifiedErrorId | ForEach-Object { $_ | Should -BeLike 'DeviceUnavailable,*' }
    }
}
