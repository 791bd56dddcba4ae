# The packages as users install them: this platform's zip (its contents), and the .nupkg through PSResourceGet from
# a local folder repository into a temporary user scope, imported by name and rendering in a fresh pwsh.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $rid = [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
    $packages = Join-Path $TestDrive 'packages'
    $made = & (Join-Path $RepositoryRoot 'tools' 'New-ModulePackage.ps1') -ModuleDirectory (Split-Path $ModuleManifest) -OutputDirectory $packages -Runtime $rid
    $version = (Import-PowerShellDataFile $ModuleManifest).ModuleVersion
    $check = @'
$ErrorActionPreference = 'Stop'
Import-Module $args[0]
$model = Join-Path $args[1] 'model'
$null = New-SyntheticModel -Path $model -Architecture SD15 -Size Tiny
$render = New-ExplodedView 'a kettle' -Seed 1 -Steps 2 -Width 64 -Height 64 -ModelPath $model
'{0}|{1}|{2}' -f (Get-Module NanoBanana).ModuleBase, (Get-NanoBananaEnvironment).Libraries[0].LoadContext, $render.Width
'@
    Set-Content -LiteralPath (Join-Path $TestDrive 'check.ps1') -Value $check
}

Describe 'The platform zip' {
    It 'holds this platform''s native libraries only and no .pdb' {
        $zip = Join-Path $packages "NanoBanana-$version-$rid.zip"
        $made.FullName | Should -Contain $zip
        $folder = Join-Path $TestDrive 'zip'
        Expand-Archive $zip $folder
        Get-ChildItem $folder -Recurse -Filter *.pdb | Should -BeNullOrEmpty
        (Get-ChildItem (Join-Path $folder 'NanoBanana' 'Dependencies' 'runtimes')).Name | Where-Object { $_ -ne $rid -and $_ -ne ($rid -split '-')[0] } | Should -BeNullOrEmpty
        Test-Path (Join-Path $folder 'NanoBanana' 'NanoBanana.psd1') | Should -BeTrue
    }
}

Describe 'The .nupkg through PSResourceGet' {
    BeforeAll {
        # A temporary user: PSResourceGet keeps its repository list and CurrentUser modules under HOME, pwsh looks
        # for modules under XDG_DATA_HOME (when set); both point into the test drive, so nothing of the real user's
        # changes. (Windows keeps them in LOCALAPPDATA and Documents, which this does not redirect: Linux only.)
        $saved = $env:HOME, $env:XDG_DATA_HOME
        $env:HOME = Join-Path $TestDrive 'home'
        $env:XDG_DATA_HOME = Join-Path $env:HOME '.local' 'share'
        # .NET answers an empty folder (the current directory) for a user folder that does not exist yet.
        New-Item -ItemType Directory -Path $env:XDG_DATA_HOME | Out-Null
    }
    AfterAll { $env:HOME, $env:XDG_DATA_HOME = $saved }

    It 'installs from a local folder repository and imports by name in a fresh pwsh' {
        if (-not $IsLinux) { Set-ItResult -Skipped -Because 'the temporary user scope is made by redirecting HOME, which is Linux'; return }
        $install = @'
$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name NanoBananaLocal -Uri $args[0] -Trusted
Install-PSResource -Name NanoBanana -Repository NanoBananaLocal -Scope CurrentUser
(Get-InstalledPSResource -Name NanoBanana).Version.ToString()
'@
        Set-Content -LiteralPath (Join-Path $TestDrive 'install.ps1') -Value $install
        $installed = @(Invoke-FreshPwsh -File (Join-Path $TestDrive 'install.ps1') $packages 2>&1)
        $LASTEXITCODE | Should -Be 0 -Because ($installed | Out-String)
        $installed[-1] | Should -Be $version
        $line = @(Invoke-FreshPwsh -File (Join-Path $TestDrive 'check.ps1') NanoBanana $TestDrive 2>&1)[-1]
        $line | Should -Be ('{0}|NanoBanana|64' -f (Join-Path $env:XDG_DATA_HOME 'powershell' 'Modules' 'NanoBanana' $version))
    }
}
