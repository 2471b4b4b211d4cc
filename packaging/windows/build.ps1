# Build the Windows installer: freeze with PyInstaller, then compile the Inno Setup script.
#
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
#
# Needs Python 3.12 (the py launcher) and Inno Setup 6 (iscc.exe on PATH or in its default
# folder). Output: build\package\InfoShareDesktop-VERSION-setup.exe.
# NOT YET RUN: there is no Windows machine in this project's CI (see README).
$ErrorActionPreference = "Stop"
$root = Resolve-Path (Join-Path $PSScriptRoot "..\..")
Set-Location $root

py -3.12 -m pip install --quiet --upgrade build
if ($LASTEXITCODE -ne 0) { throw "pip failed" }
py -3.12 packaging\freeze.py --out build\package
if ($LASTEXITCODE -ne 0) { throw "freezing failed" }

# The version of the wheel just frozen (the build venv has it installed).
$version = & build\package\venv\Scripts\python.exe -c "from importlib.metadata import version; print(version('infoshare-desktop'))"
if ($LASTEXITCODE -ne 0) { throw "could not read the version" }

$iscc = (Get-Command iscc.exe -ErrorAction SilentlyContinue).Source
if (-not $iscc) { $iscc = Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe" }
& $iscc "/DAppVersion=$version" packaging\windows\infoshare-desktop.iss
if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
Write-Host "build\package\InfoShareDesktop-$version-setup.exe"
