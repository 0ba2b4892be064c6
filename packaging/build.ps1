<#
.SYNOPSIS
Build the packaged capdesk app on Windows: dist\capdesk\ (capdesk.exe, capdesk-cli.exe),
dist\capdesk-<version>-windows-x64.zip and, when Inno Setup 6 is installed,
dist\capdesk-<version>-windows-x64-setup.exe. Prints the bundle size and build time.

.EXAMPLE
powershell -ExecutionPolicy Bypass -File packaging\build.ps1
powershell -ExecutionPolicy Bypass -File packaging\build.ps1 -Venv C:\venvs\capdesk -NoArchive
#>
param(
    [string]$Venv = "",       # virtual environment (default: $env:CAPDESK_VENV or .venv); created when missing
    [switch]$NoInstall,       # use the venv as it is
    [string]$Dist = "",       # results (default: dist)
    [string]$Work = "",       # PyInstaller's work folder (default: build\pyinstaller)
    [switch]$NoArchive,       # stop after the bundle folder
    [switch]$Full             # keep everything the hooks collect (measures the exclusions)
)
$ErrorActionPreference = "Stop"
$Root = Split-Path -Parent $PSScriptRoot
if (-not $Venv) { $Venv = if ($env:CAPDESK_VENV) { $env:CAPDESK_VENV } else { Join-Path $Root ".venv" } }
if (-not $Dist) { $Dist = Join-Path $Root "dist" }
if (-not $Work) { $Work = Join-Path $Root "build\pyinstaller" }
if ($Full) { $env:CAPDESK_SLIM = "0" }
New-Item -ItemType Directory -Force -Path $Dist, $Work | Out-Null
$Dist = (Resolve-Path $Dist).Path
$Work = (Resolve-Path $Work).Path
$Py = Join-Path $Venv "Scripts\python.exe"

function Invoke-Checked([string]$Exe, [string[]]$Arguments) {
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Exe $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Get-SizeMB([string]$Path) {
    $item = Get-Item $Path
    if ($item.PSIsContainer) {
        $bytes = (Get-ChildItem -Path $Path -Recurse -File | Measure-Object -Property Length -Sum).Sum
    } else {
        $bytes = $item.Length
    }
    "{0:N1} MiB" -f ($bytes / 1MB)
}

if (-not $NoInstall) {
    if (-not (Test-Path $Py)) {
        $base = if ($env:PYTHON) { $env:PYTHON } else { "python" }
        Write-Host "Creating $Venv ..."
        Invoke-Checked $base @("-m", "venv", $Venv)
    }
    $stamp = Join-Path $Venv ".capdesk-package-installed"
    $want = (Get-FileHash (Join-Path $Root "pyproject.toml") -Algorithm SHA256).Hash.ToLower()
    $have = if (Test-Path $stamp) { (Get-Content $stamp -Raw).Trim() } else { "" }
    # Windows PowerShell 5.1 turns a native command's redirected stderr into errors.
    $ErrorActionPreference = "Continue"
    & $Py -c "import PyInstaller, capdesk" 2>$null
    $importable = ($LASTEXITCODE -eq 0)
    $ErrorActionPreference = "Stop"
    if ($have -ne $want -or -not $importable) {
        Write-Host "Installing capdesk[package] into $Venv ..."
        Invoke-Checked $Py @("-m", "pip", "install", "--quiet", "--upgrade", "pip")
        Invoke-Checked $Py @("-m", "pip", "install", "--quiet", "-e", "$Root[package]")
        Set-Content -Path $stamp -Value $want
    }
}
if (-not (Test-Path $Py)) { throw "No Python in $Venv" }

$Version = (& $Py -c "import sys; sys.path.insert(0, sys.argv[1]); import capdesk; print(capdesk.__version__)" $Root).Trim()
Write-Host "Building capdesk $Version for Windows ..."
$start = Get-Date
$logLevel = if ($env:PYINSTALLER_LOG_LEVEL) { $env:PYINSTALLER_LOG_LEVEL } else { "WARN" }
Invoke-Checked $Py @("-m", "PyInstaller", "--noconfirm", "--log-level", $logLevel,
    "--distpath", $Dist, "--workpath", $Work, (Join-Path $Root "packaging\capdesk.spec"))
$built = Get-Date

$Bundle = Join-Path $Dist "capdesk"
if (-not (Test-Path (Join-Path $Bundle "capdesk.exe"))) { throw "PyInstaller produced no $Bundle\capdesk.exe" }
Copy-Item (Join-Path $Root "resources\licenses\GPL-3.0.txt") (Join-Path $Bundle "LICENSE.txt")

$archives = @()
if (-not $NoArchive) {
    $zip = Join-Path $Dist "capdesk-$Version-windows-x64.zip"
    if (Test-Path $zip) { Remove-Item $zip }
    Compress-Archive -Path $Bundle -DestinationPath $zip -CompressionLevel Optimal
    $archives += $zip

    $iscc = (Get-Command iscc -ErrorAction SilentlyContinue).Source
    foreach ($candidate in @("${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe",
                             "$env:ProgramFiles\Inno Setup 6\ISCC.exe",
                             "$env:LOCALAPPDATA\Programs\Inno Setup 6\ISCC.exe")) {
        if (-not $iscc -and (Test-Path $candidate)) { $iscc = $candidate }
    }
    if ($iscc) {
        Invoke-Checked $iscc @("/Q", "/DAppVersion=$Version", "/DBundleDir=$Bundle", "/DOutputDir=$Dist",
            (Join-Path $Root "packaging\windows\capdesk.iss"))
        $archives += Join-Path $Dist "capdesk-$Version-windows-x64-setup.exe"
    } else {
        Write-Host "Installer: skipped, Inno Setup 6 (ISCC.exe) was not found (choco install innosetup)"
    }
}
$finished = Get-Date

Write-Host ""
Write-Host "capdesk $Version bundle: $Bundle"
Write-Host "bundle size: $(Get-SizeMB $Bundle)"
foreach ($archive in $archives) { Write-Host "archive: $archive ($(Get-SizeMB $archive))" }
Write-Host ("build time: {0:N0} s PyInstaller, {1:N0} s in all" -f ($built - $start).TotalSeconds, ($finished - $start).TotalSeconds)
