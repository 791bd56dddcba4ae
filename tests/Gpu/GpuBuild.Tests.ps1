# The GPU build (Microsoft.ML.OnnxRuntime.Gpu) on a machine without CUDA libraries: it must fall back to the CPU
# with one warning naming the library that did not load, refuse -Device Cuda clearly, and say why in
# Get-NanoBananaEnvironment. Needs the second build (artifacts/module-gpu), so it is not in the default test run:
#     dotnet pwsh ./build.ps1 -Task TestGpu
BeforeAll {
    $gpuModule = [IO.Path]::GetFullPath((Join-Path $PSScriptRoot '..' '..' 'artifacts' 'module-gpu' 'NanoBanana' 'NanoBanana.psd1'))
    . (Join-Path $PSScriptRoot '..' 'Pester' 'Common.ps1')   # imports the CPU module: only to make the model
    $model = Join-Path $TestDrive 'tiny'
    $null = New-SyntheticModel -Path $model -Architecture SDXL -Size Tiny -Seed 2
    $probe = @'
Import-Module $args[0]
$env = Get-NanoBananaEnvironment
"PROVIDERS $($env.ExecutionProviders -join ',')"
"DEVICE $($env.DefaultDevice)"
"REASON $($env.CudaUnavailableReason)"
foreach ($i in 1, 2) {
    $r = New-ExplodedView 'a drone' -Seed $i -Steps 2 -Width 64 -Height 64 -ModelPath $args[1] -WarningVariable w -WarningAction SilentlyContinue
    "RENDER $i $($r.Width) warnings=$($w.Count) $($w -join ' | ')"
}
try { $null = Open-NanoBananaSession -Device Cuda -ErrorAction Stop; 'CUDA OPENED' } catch { "CUDA ERROR $($_.FullyQualifiedErrorId): $_" }
'@
    Set-Content -LiteralPath (Join-Path $TestDrive 'probe.ps1') -Value $probe
    $lines = @(Invoke-FreshPwsh -File (Join-Path $TestDrive 'probe.ps1') $gpuModule $model 2>&1 | ForEach-Object { "$_" })
    $value = { param($key) ($lines | Where-Object { $_.StartsWith("$key ") } | Select-Object -First 1) -replace "^$key " }
}

Describe 'The GPU build without CUDA libraries' {
    BeforeAll {
        if ((& $value DEVICE) -eq 'Cuda') { $cuda = $true }
    }

    It 'was built with the CUDA provider' {
        Test-Path $gpuModule | Should -BeTrue -Because 'dotnet pwsh ./build.ps1 -Task TestGpu builds it first'
        & $value PROVIDERS | Should -Match 'CUDAExecutionProvider' -Because ($lines -join "`n")
    }

    It 'renders on the CPU, warning once with the library that failed to load' {
        if ($cuda) { Set-ItResult -Skipped -Because 'CUDA loads on this machine: there is no fallback to check'; return }
        & $value DEVICE | Should -Be 'Cpu'
        $reason = & $value REASON
        $reason | Should -Match '\.(so|dll)' -Because 'the reason names the library'
        $lines | Should -Contain "RENDER 1 64 warnings=1 The CUDA provider could not be used, so renders run on the CPU: $reason"
        $lines | Should -Contain 'RENDER 2 64 warnings=0 '
    }

    It 'refuses -Device Cuda with the reason' {
        if ($cuda) { Set-ItResult -Skipped -Because 'CUDA loads on this machine'; return }
        & $value 'CUDA ERROR' | Should -Match "CUDA was requested but cannot run here: .*\.(so|dll)"
    }
}
