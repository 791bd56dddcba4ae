@{
    RootModule           = 'NanoBanana.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = 'cba587c6-ceeb-456a-b1a4-5c947842a1d1'
    Author               = 'NanoBanana.PowerShell contributors'
    CompanyName          = 'NanoBanana'
    Copyright            = '(c) NanoBanana.PowerShell contributors. MIT License.'
    Description          = 'Exploded-view and knolling product renders with diffusion models on ONNX Runtime, in little GPU memory: SDXL / SD 1.5 pipelines, Real-ESRGAN upscaling, Pillow-exact sharpening and image regression checks.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('NanoBanana.format.ps1xml')
    CmdletsToExport      = @(
        'Get-NanoBananaEnvironment'
        'Optimize-Sharpness'
        'Compare-RenderImage'
        'Get-RenderMetadata'
        'Invoke-Upscale'
        'Import-UpscaleModel'
        'New-SyntheticModel'
        'Test-NanoBananaModel'
        'Optimize-NanoBananaModel'
        'New-ExplodedView'
        'New-PartLayout'
        'Add-PartLabel'
        'Measure-ExplodedView'
        'Get-RenderNoise'
        'Get-SchedulerTimestep'
        'Open-NanoBananaSession'
        'Get-NanoBananaSession'
        'Close-NanoBananaSession'
        'Clear-NanoBananaCache'
        'Get-RenderMemoryEstimate'
        'Add-Lora'
        'Set-LoraWeight'
        'Get-Lora'
        'Remove-Lora'
        'New-SyntheticLora'
        'Select-CatalogueShard'
        'Get-RenderRun'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @('Get-LoraWeight')
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('StableDiffusion', 'SDXL', 'ONNX', 'ONNXRuntime', 'ImageGeneration', 'RealESRGAN', 'Upscale', 'Linux', 'Windows')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
