<#
.SYNOPSIS
  Flashes nanoCLR to an ESP32 board and deploys the ChargeManager firmware with nanoff.

.DESCRIPTION
  1. Installs nanoff (a .NET global tool) if it is missing.
  2. Builds Firmware\ChargeManager.Firmware.nfproj with MSBuild (Visual Studio with the
     nanoFramework extension must be installed: it provides the project system and the
     metadata processor that turns IL into .pe files).
  3. Flashes the nanoCLR image for the target (skip with -SkipClr): version 1.15.0.25 by default, the one
     the pinned packages match (../shared/nanoframework/VERSIONS.md). A newer nanoCLR declares a different
     System.Net native checksum and rejects the app at load; -FirmwareVersion overrides.
  4. Deploys the application image (every referenced .pe plus the app's, as one .bin).
  5. Copies the web page (Web\index.html) to the device's flash, I:\index.html.

.EXAMPLE
  .\flash.ps1 -SerialPort COM5
  .\flash.ps1 -SerialPort COM5 -Target ESP32_OLIMEX -MassErase
  .\flash.ps1 -SerialPort /dev/ttyUSB0 -SkipBuild   # on Linux/macOS with a .bin built elsewhere
  .\flash.ps1 -SerialPort COM5 -FirmwareVersion 1.15.0.23   # a fallback named in VERSIONS.md

  Every step stops the script on failure (restore, build, flash, deploy, web page), saying which.
#>
param(
    [Parameter(Mandatory = $true)][string] $SerialPort,
    # nanoff target names: nanoff --listtargets --platform esp32
    [string] $Target = "ESP32_WT32_ETH01",
    [ValidateSet("Debug", "Release")][string] $Configuration = "Release",
    # The nanoCLR the packages.config set was checked against; change both together.
    [ValidatePattern('^\d+\.\d+\.\d+\.\d+$')][string] $FirmwareVersion = "1.15.0.25",
    [switch] $MassErase,
    [switch] $SkipClr,
    [switch] $SkipBuild
)

$ErrorActionPreference = "Stop"
$root = $PSScriptRoot
$project = Join-Path $root "Firmware\ChargeManager.Firmware.nfproj"
$image = Join-Path $root "Firmware\bin\$Configuration\ChargeManager.Firmware.bin"

# Runs one native step; any non-zero exit ends the script with the step's name.
function Invoke-Step([string] $Name, [scriptblock] $Command, [string] $Hint = "") {
    Write-Host "== $Name"
    $global:LASTEXITCODE = 0
    & $Command
    if ($LASTEXITCODE -ne 0) {
        $message = "$Name failed (exit code $LASTEXITCODE)."
        if ($Hint) { $message += " $Hint" }
        throw $message
    }
}

if (-not (Get-Command nanoff -ErrorAction SilentlyContinue)) {
    Invoke-Step "Installing nanoff" { dotnet tool install -g nanoff }
    $env:PATH += [IO.Path]::PathSeparator + (Join-Path $HOME ".dotnet/tools")
    if (-not (Get-Command nanoff -ErrorAction SilentlyContinue)) { throw "nanoff was installed but is not on PATH (~/.dotnet/tools)." }
}

if (-not $SkipBuild) {
    $vswhere = Join-Path ${env:ProgramFiles(x86)} "Microsoft Visual Studio\Installer\vswhere.exe"
    if (-not (Test-Path $vswhere)) { throw "Visual Studio not found: build the firmware in Visual Studio, then run with -SkipBuild." }
    $msbuild = & $vswhere -latest -requires Microsoft.Component.MSBuild -find "MSBuild\**\Bin\MSBuild.exe" | Select-Object -First 1
    if (-not $msbuild) { throw "MSBuild not found in the Visual Studio installation." }
    if (-not (Get-Command nuget -ErrorAction SilentlyContinue)) { throw "nuget.exe not on PATH: it restores Firmware\packages.config." }
    Invoke-Step "Restoring the nanoFramework packages" { nuget restore (Join-Path $root "Firmware\packages.config") -PackagesDirectory (Join-Path $root "packages") }
    Invoke-Step "Building the firmware" { & $msbuild $project /p:Configuration=$Configuration /nologo /verbosity:minimal }
}
if (-not (Test-Path $image)) { throw "No firmware image at $image." }

if (-not $SkipClr) {
    $update = @("--update", "--target", $Target, "--serialport", $SerialPort, "--fwversion", $FirmwareVersion)
    if ($MassErase) { $update += "--masserase" }
    Invoke-Step "Flashing nanoCLR $FirmwareVersion for $Target" { nanoff @update } `
        ("If nanoff said it cannot find the target or version (""Can't find the target in Cloudsmith repository""), the image " +
         "$Target $FirmwareVersion cannot be had from Cloudsmith (net-nanoframework/nanoframework-images) any more: do NOT flash the newest " +
         "image instead (its System.Net rejects the pinned packages). Pick a fallback from ../shared/nanoframework/VERSIONS.md section 2 " +
         "(e.g. -FirmwareVersion 1.15.0.23), or use -SkipClr on a board that already runs $FirmwareVersion.")
}

Invoke-Step "Deploying the application" { nanoff --nanodevice --deploy --serialport $SerialPort --image $image }

# The web page goes to the internal flash (I:\index.html), where the firmware serves it at /.
$deploy = Join-Path ([IO.Path]::GetTempPath()) "chargemanager-files.json"
@{ serialport = $SerialPort; files = @(@{ DestinationFilePath = "I:\index.html"; SourceFilePath = (Join-Path $root "Web\index.html") }) } |
    ConvertTo-Json -Depth 4 | Set-Content -Encoding UTF8 $deploy
Invoke-Step "Deploying the web page" { nanoff --filedeployment $deploy }
Write-Host "Done: nanoCLR $FirmwareVersion (unless -SkipClr) and the app on $Target. The device prints its heap figures and the longest lock wait on the debug output."
