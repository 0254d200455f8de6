<#
.SYNOPSIS
  Flashes nanoCLR to an ESP32 board and deploys the ChargeManager firmware with nanoff.

.DESCRIPTION
  1. Installs nanoff (a .NET global tool) if it is missing.
  2. Builds Firmware\ChargeManager.Firmware.nfproj with MSBuild (Visual Studio with the
     nanoFramework extension must be installed: it provides the project system and the
     metadata processor that turns IL into .pe files).
  3. Flashes the nanoCLR image for the target (skip with -SkipClr).
  4. Deploys the application image (every referenced .pe plus the app's, as one .bin).
  5. Copies the web page (Web\index.html) to the device's flash, I:\index.html.

.EXAMPLE
  .\flash.ps1 -SerialPort COM5
  .\flash.ps1 -SerialPort COM5 -Target ESP32_OLIMEX -MassErase
  .\flash.ps1 -SerialPort /dev/ttyUSB0 -SkipBuild   # on Linux/macOS with a .bin built elsewhere
#>
param(
    [Parameter(Mandatory = $true)][string] $SerialPort,
    # nanoff target names: nanoff --listtargets --platform esp32
    [string] $Target = "ESP32_WT32_ETH01",
    [ValidateSet("Debug", "Release")][string] $Configuration = "Release",
    [switch] $MassErase,
    [switch] $SkipClr,
    [switch] $SkipBuild
)

$ErrorActionPreference = "Stop"
$root = $PSScriptRoot
$project = Join-Path $root "Firmware\ChargeManager.Firmware.nfproj"
$image = Join-Path $root "Firmware\bin\$Configuration\ChargeManager.Firmware.bin"

if (-not (Get-Command nanoff -ErrorAction SilentlyContinue)) {
    Write-Host "Installing nanoff ..."
    dotnet tool install -g nanoff
    $env:PATH += [IO.Path]::PathSeparator + (Join-Path $HOME ".dotnet/tools")
}

if (-not $SkipBuild) {
    $vswhere = Join-Path ${env:ProgramFiles(x86)} "Microsoft Visual Studio\Installer\vswhere.exe"
    if (-not (Test-Path $vswhere)) { throw "Visual Studio not found: build the firmware in Visual Studio, then run with -SkipBuild." }
    $msbuild = & $vswhere -latest -requires Microsoft.Component.MSBuild -find "MSBuild\**\Bin\MSBuild.exe" | Select-Object -First 1
    if (-not $msbuild) { throw "MSBuild not found in the Visual Studio installation." }
    & nuget restore (Join-Path $root "ChargeManager.Firmware.sln")
    & $msbuild $project /p:Configuration=$Configuration /nologo /verbosity:minimal
    if ($LASTEXITCODE -ne 0) { throw "Firmware build failed." }
}
if (-not (Test-Path $image)) { throw "No firmware image at $image." }

if (-not $SkipClr) {
    $update = @("--update", "--target", $Target, "--serialport", $SerialPort)
    if ($MassErase) { $update += "--masserase" }
    & nanoff @update
    if ($LASTEXITCODE -ne 0) { throw "Flashing nanoCLR failed." }
}

& nanoff --nanodevice --deploy --serialport $SerialPort --image $image
if ($LASTEXITCODE -ne 0) { throw "Deploying the application failed." }

# The web page goes to the internal flash (I:\index.html), where the firmware serves it at /.
$deploy = Join-Path ([IO.Path]::GetTempPath()) "chargemanager-files.json"
@{ serialport = $SerialPort; files = @(@{ DestinationFilePath = "I:\index.html"; SourceFilePath = (Join-Path $root "Web\index.html") }) } |
    ConvertTo-Json -Depth 4 | Set-Content -Encoding UTF8 $deploy
& nanoff --filedeployment $deploy
if ($LASTEXITCODE -ne 0) { throw "Deploying the web page failed." }
Write-Host "Done. The device prints its heap figures on the debug output (Visual Studio's Output window)."
