# The module as a session uses it over time: imported again and again (Pester suites, developers), removed.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

Describe 'Importing the module again' {
    It 'leaves every cmdlet working after Import-Module -Force (nested scope and top level, twice) and Remove-Module + Import-Module' {
        $model = Join-Path $TestDrive 'tiny'
        $script = @'
$ErrorActionPreference = 'Stop'
$m = $args[0]; $model = $args[1]; $out = $args[2]
Import-Module $m
& { Import-Module $m -Force }      # what a Pester BeforeAll does after the session imported the module
Import-Module $m -Force
Import-Module $m -Force
Remove-Module NanoBanana
Import-Module $m
$null = New-SyntheticModel -Path $model -Architecture SDXL -Size Tiny -Seed 3
$r = New-ExplodedView 'a drone' -Name drone -Seed 5 -Width 64 -Height 64 -Steps 2 -ModelPath $model -OutputDirectory $out
$s = $r | Optimize-Sharpness -Factor 2 -OutputDirectory (Join-Path $out 'sharp')
$c = Compare-RenderImage -ReferencePath $r.Path -DifferencePath $r.Path
$null = Get-RenderMetadata -LiteralPath $s.Path
$null = Get-RenderNoise -Seed 1 -Width 64 -Height 64
$null = Get-SchedulerTimestep -ModelPath $model -Steps 4
$null = Test-NanoBananaModel -Path $model -Quiet
$null = Get-NanoBananaSession; $null = Get-Lora; $null = Get-NanoBananaEnvironment
'OK {0} {1}' -f $c.Ssim, (Get-Module NanoBanana).ExportedCmdlets.Count
'@
        Set-Content -LiteralPath (Join-Path $TestDrive 'reimport.ps1') -Value $script
        $output = Invoke-FreshPwsh -File (Join-Path $TestDrive 'reimport.ps1') $ModuleManifest $model (Join-Path $TestDrive 'out') 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($output | Out-String)
        @($output)[-1] | Should -Be ('OK 1 {0}' -f (Get-Module NanoBanana).ExportedCmdlets.Count)
    }
}

Describe 'The module''s dependencies compiled ReadyToRun' {
    # The build compiles Dependencies/ ReadyToRun on Linux x64 against the runtime pwsh runs on; code compiled against
    # another runtime (the module's net8.0 target) is silently not used and everything is JIT-compiled again. Counted:
    # methods of the engine's upscaling rooms, ONNX Runtime's managed API and protobuf compiled from IL (quick JIT or
    # minimal optimisation, not tier-1 recompiles of hot code) on the thread that imports the module and runs a first
    # Invoke-Upscale in a fresh pwsh (pwsh replays its start-up JIT profile on another thread). Without ReadyToRun
    # they are several hundred; with it, the few generic instantiations no single image can hold.
    It 'leaves (almost) nothing of the engine, ONNX Runtime or protobuf to JIT on the first Invoke-Upscale' -Skip:(-not $IsLinux -or [Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture -ne 'X64') {
        $script = @'
$ErrorActionPreference = 'Stop'
Add-Type -TypeDefinition @"
using System; using System.Collections.Concurrent; using System.Diagnostics.Tracing; using System.Runtime.InteropServices;
public sealed class FirstJit : EventListener {
    [DllImport("libc")] static extern int gettid();
    public readonly ConcurrentBag<string> Seen = new ConcurrentBag<string>();
    long _thread = -1;
    public void Track() { _thread = gettid(); }
    protected override void OnEventSourceCreated(EventSource source) { if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x10); }
    protected override void OnEventWritten(EventWrittenEventArgs e) {
        if (e.OSThreadId != _thread || e.EventName == null || !e.EventName.StartsWith("MethodLoadVerbose")) return;
        uint tier = (Convert.ToUInt32(e.Payload[e.PayloadNames.IndexOf("MethodFlags")]) >> 7) & 7; // 1 MinOptJitted, 3 QuickJitted
        if (tier == 1 || tier == 3) Seen.Add(e.Payload[e.PayloadNames.IndexOf("MethodNamespace")] as string ?? "");
    }
}
"@
$listener = [FirstJit]::new()
$listener.Track()
Import-Module $args[0]
$null = Invoke-Upscale -LiteralPath $args[1] -Scale 2
Start-Sleep -Seconds 2 # the runtime hands its events to listeners on a thread of its own, a little later
@($listener.Seen | Where-Object { $_ -match '^(NanoBanana\.(Imaging|Onnx|Runtime)|Google\.Protobuf|Microsoft\.ML\.OnnxRuntime)' }).Count
'@
        Set-Content -LiteralPath (Join-Path $TestDrive 'jit.ps1') -Value $script
        $image = Join-Path $RepositoryRoot 'tests' 'NanoBanana.Engine.Tests' 'Imaging' 'Fixtures' 'sharp-17x13-rgb.png'
        $output = @(Invoke-FreshPwsh -File (Join-Path $TestDrive 'jit.ps1') $ModuleManifest $image 2>&1)
        $output | Should -HaveCount 1
        [int]$output[0] | Should -BeLessThan 25
    }
}
