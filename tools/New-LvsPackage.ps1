#Requires -Version 7.4
<#
.SYNOPSIS
    Stages the LvsPS module as a gallery publishes and installs it: a folder LvsPS/ that Publish-PSResource -Path
    takes as it is.
.DESCRIPTION
    From a build (out/LvsPS and out/lvsd: ./build.sh package builds them first), writes <OutputPath>/LvsPS with

        LvsPS.psd1      the manifest: the repository's LvsPS.psd1, key for key, with RootModule bin/LvsPS.dll and a
                        FileList of every file below
        LICENSE
        bin/            the module's assembly and its dependencies (out/LvsPS, without .pdb files)
        lvsd/           the director engine, framework-dependent: run by the dotnet host, so it needs the .NET 10
                        runtime; libpcap comes from Debian (libpcap0.8). Beside bin/ as out/lvsd is beside
                        out/LvsPS, so the module finds it the same way (../lvsd/lvsd.dll from its assembly)
        module/         the format and types files and the import-time check (LvsPS.Requirements.ps1)
        en-US/          the MAML help and about_LvsPS
        Diagnostics/    the Pester suites Invoke-LvsClusterValidation runs
        examples/       Seed-DrCluster.ps1, the walkthrough replayed (it imports the LvsPS.psd1 beside examples/,
                        so from an installed module it runs that module)

    Any earlier staged folder is replaced. The staged manifest must pass Test-ModuleManifest, or the script fails.
.PARAMETER OutputPath
    The folder to stage LvsPS/ in (default: out/package under the repository root).
.OUTPUTS
    System.IO.DirectoryInfo: the staged LvsPS folder.
.EXAMPLE
    dotnet pwsh -NoProfile -File tools/New-LvsPackage.ps1
.EXAMPLE
    ./build.sh package; Publish-PSResource -Path out/package/LvsPS -Repository MyRepository
#>
[CmdletBinding(SupportsShouldProcess)]
[OutputType([System.IO.DirectoryInfo])]
param(
    [string]$OutputPath
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$root = Split-Path -Parent $PSScriptRoot
if (-not $OutputPath) { $OutputPath = Join-Path $root 'out/package' }
$OutputPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)
$devManifest = Join-Path $root 'LvsPS.psd1'
$moduleBuild = Join-Path $root 'out/LvsPS'
$engineBuild = Join-Path $root 'out/lvsd'
foreach ($built in (Join-Path $moduleBuild 'LvsPS.dll'), (Join-Path $engineBuild 'lvsd.dll'), (Join-Path $engineBuild 'lvsd.runtimeconfig.json')) {
    if (-not (Test-Path -LiteralPath $built -PathType Leaf)) { throw "No ${built}: build the module and the engine first (./build.sh package does)." }
}
$dest = Join-Path $OutputPath 'LvsPS'
if (-not $PSCmdlet.ShouldProcess($dest, 'Stage the LvsPS module')) { return }

if (Test-Path -LiteralPath $dest) { Remove-Item -LiteralPath $dest -Recurse -Force }
$null = New-Item -ItemType Directory -Path $dest -Force

# The build's files without debug symbols; the engine without its apphost (lvsd runs as dotnet lvsd.dll).
function Copy-Build([string]$From, [string]$To, [string[]]$Exclude) {
    $null = New-Item -ItemType Directory -Path $To -Force
    Get-ChildItem -LiteralPath $From -File | Where-Object { $_.Extension -ne '.pdb' -and $_.Name -notin $Exclude } |
        Copy-Item -Destination $To
}
Copy-Build $moduleBuild (Join-Path $dest 'bin') @()
Copy-Build $engineBuild (Join-Path $dest 'lvsd') @('lvsd')
foreach ($folder in 'module', 'en-US', 'Diagnostics', 'examples') {
    Copy-Item -LiteralPath (Join-Path $root $folder) -Destination (Join-Path $dest $folder) -Recurse
}
Copy-Item -LiteralPath (Join-Path $root 'LICENSE') -Destination $dest

# The manifest: every key of the repository's, so that what is added there is published too, with the root module
# where the package has it and the list of the package's files (the manifest among them).
$manifestPath = Join-Path $dest 'LvsPS.psd1'
$files = @(Get-ChildItem -LiteralPath $dest -File -Recurse | ForEach-Object { [System.IO.Path]::GetRelativePath($dest, $_.FullName) -replace '\\', '/' }) + 'LvsPS.psd1' |
    Sort-Object -Unique
$dev = Import-PowerShellDataFile -LiteralPath $devManifest
$newManifest = (Get-Command New-ModuleManifest).Parameters
$arguments = @{ Path = $manifestPath; RootModule = 'bin/LvsPS.dll'; FileList = $files }
foreach ($key in $dev.Keys) {
    if ($key -in 'RootModule', 'PrivateData') { continue }
    if (-not $newManifest.ContainsKey($key)) { throw "LvsPS.psd1 has a key New-ModuleManifest does not take: ${key}; teach tools/New-LvsPackage.ps1 about it." }
    $arguments[$key] = $dev[$key]
}
$psData = $dev.PrivateData.PSData
foreach ($key in $psData.Keys) {
    if (-not $newManifest.ContainsKey($key)) { throw "LvsPS.psd1's PrivateData.PSData has a key New-ModuleManifest does not take: $key." }
    $arguments[$key] = $psData[$key]
}
New-ModuleManifest @arguments
# New-ModuleManifest writes an empty list (VariablesToExport = @()) as a comment, which would export everything:
# such keys are written out again, and then every key of the repository's manifest must be in the staged one.
$text = Get-Content -LiteralPath $manifestPath -Raw
$staged = Import-PowerShellDataFile -LiteralPath $manifestPath
foreach ($key in $dev.Keys) {
    if ($key -ne 'PrivateData' -and -not $staged.ContainsKey($key)) { $text = $text -replace "(?m)^# ($key = )", '$1' }
}
Set-Content -LiteralPath $manifestPath -Value $text -NoNewline -Encoding utf8NoBOM
$staged = Import-PowerShellDataFile -LiteralPath $manifestPath
$lost = @($dev.Keys | Where-Object { -not $staged.ContainsKey($_) })
if ($lost) { throw "The staged manifest $manifestPath lacks $($lost -join ', ')." }

$staged = Test-ModuleManifest -Path $manifestPath -WarningAction SilentlyContinue -WarningVariable warnings
if ($warnings) { throw "The staged manifest $manifestPath has warnings: $($warnings -join '; ')" }
if ($staged.Name -ne 'LvsPS' -or $staged.Version -ne [version]$dev.ModuleVersion) { throw "The staged manifest $manifestPath is not LvsPS $($dev.ModuleVersion)." }
Get-Item -LiteralPath $dest
