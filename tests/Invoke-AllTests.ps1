<#
.SYNOPSIS
    Runs every LvsPS test: the xUnit projects (engine, core, SSH against a real sshd, lab) and the Pester
    suites (module end to end in a lab with real packets). Ends with one line "N passed, N failed".
.NOTES
    Called by ./build.sh test after the build (Release). Needs root.
#>
[CmdletBinding()]
param(
    [string]$Configuration = 'Release',
    # Run only these Pester files (default: all under tests/pester).
    [string[]]$PesterPath,
    [switch]$SkipXunit,
    [switch]$SkipPester
)
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
$results = Join-Path $root 'out/test-results'
New-Item -ItemType Directory -Force -Path $results | Out-Null
$passed = 0; $failed = 0; $problems = @(); $failures = @()

if (-not $SkipXunit) {
    foreach ($proj in 'tests/LvsPS.Ipvs.Tests', 'tests/LvsPS.Engine.Tests', 'tests/LvsPS.Management.Tests', 'tests/LvsPS.Cmdlets.Tests', 'tests/LvsPS.Remote.Tests', 'tests/LvsPS.Lab.Tests') {
        $name = Split-Path -Leaf $proj
        $trx = Join-Path $results "$name.trx"
        Remove-Item -ErrorAction SilentlyContinue $trx
        Write-Host "== xUnit $name"
        & dotnet test (Join-Path $root $proj) -c $Configuration --no-build --nologo `
            --logger "trx;LogFileName=$trx" --logger 'console;verbosity=normal' | Out-Host
        if (Test-Path $trx) {
            [xml]$x = Get-Content -Raw $trx
            $c = $x.TestRun.ResultSummary.Counters
            $passed += [int]$c.passed
            $failed += [int]$c.failed + [int]$c.error + [int]$c.timeout + [int]$c.aborted
            if ([int]$c.total -eq 0) { $failed++; $problems += "$name ran no test" }
            foreach ($r in @($x.TestRun.Results.UnitTestResult | Where-Object { $_.outcome -ne 'Passed' -and $_.outcome -ne 'NotExecuted' })) {
                $msg = "$($r.Output.ErrorInfo.Message)" -replace '\s+', ' '
                $failures += "xUnit $name $($r.testName): $($msg.Substring(0, [Math]::Min(300, $msg.Length)))"
            }
        } else {
            $failed++; $problems += "$name produced no result file (build or host failure)"
        }
    }
}

if (-not $SkipPester) {
    $pester = Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages/pester/6.2.0/tools/Pester.psd1'
    if ($env:NUGET_PACKAGES) { $pester = Join-Path $env:NUGET_PACKAGES 'pester/6.2.0/tools/Pester.psd1' }
    Import-Module $pester -Force
    $cfg = New-PesterConfiguration
    $cfg.Run.Path = if ($PesterPath) { @($PesterPath | ForEach-Object { $_ -split ',' } | ForEach-Object { if ([IO.Path]::IsPathRooted($_)) { $_ } else { Join-Path $root $_ } }) } else { Join-Path $root 'tests/pester' }
    $cfg.Run.PassThru = $true
    $cfg.Output.Verbosity = 'Detailed'
    $cfg.TestResult.Enabled = $true
    $cfg.TestResult.OutputFormat = 'JUnitXml'
    $cfg.TestResult.OutputPath = Join-Path $results 'pester.xml'
    Write-Host '== Pester'
    $run = $null
    try { $run = Invoke-Pester -Configuration $cfg }
    catch { $problems += "Pester failed to run: $_" }
    if ($null -eq $run) { $failed++ }
    else {
        $passed += $run.PassedCount
        $failed += $run.FailedCount + $run.FailedBlocksCount + $run.FailedContainersCount
        if ($run.TotalCount -eq 0) { $failed++; $problems += 'Pester ran no test' }
        foreach ($t in @($run.Failed)) {
            $msg = "$($t.ErrorRecord | Select-Object -First 1)" -replace '\s+', ' '
            $failures += "Pester $($t.ExpandedPath): $($msg.Substring(0, [Math]::Min(300, $msg.Length)))"
        }
        foreach ($b in @($run.FailedBlocks) + @($run.FailedContainers)) {
            if ($b) { $failures += "Pester block $($b.Name)$($b.Item): $("$($b.ErrorRecord | Select-Object -First 1)" -replace '\s+', ' ')" }
        }
    }
}

# Nothing the tests made may survive them.
$left = & ip netns list 2>$null | Where-Object { $_ -match '^lvs' }
if ($left) { $failed++; $problems += "network namespaces left behind: $($left -join ', ')" }

# The failures again, last, so that the tail of a long log names them.
foreach ($f in $failures) { Write-Host "failed: $f" }
foreach ($p in $problems) { Write-Host "problem: $p" }
Write-Host "$passed passed, $failed failed"
if ($failed -gt 0) { exit 1 }
exit 0
