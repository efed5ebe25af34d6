#Requires -Version 7.4
<#
.SYNOPSIS
    Bounded HTTP load in a lab: requests/s through the VIP (LvsPS director, DR) against requests/s straight to a
    real server, with wrk from the lab's client namespace.
.DESCRIPTION
    Builds a lab with two real servers, starts the director, creates TCP VIP:80 (rr) over both, hides the VIP on the
    real servers, then runs wrk for -DurationSec seconds (-Connections keep-alive connections, one thread) first
    straight to rs1's address, then to the VIP, -Rounds times alternately. Prints one object per run and a summary
    with the ratio VIP/direct (medians), and the director's capture counters (ring drops). Removes the lab.
    Traffic stays inside the lab's namespaces; every run is bounded in time.
.EXAMPLE
    sudo dotnet pwsh -File bench/lab-load.ps1 -DurationSec 5 -Connections 16 -Rounds 3
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 60)][int]$DurationSec = 5,
    [ValidateRange(1, 256)][int]$Connections = 16,
    [ValidateRange(1, 10)][int]$Rounds = 3,
    [string]$Name = 'load',
    [string]$Subnet = '10.248.0.0/24'
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../LvsPS.psd1') -Force
if (-not (Get-Command wrk -ErrorAction SilentlyContinue)) {
    & apt-get install -y -qq wrk | Out-Null
}

function Invoke-Wrk([string]$url) {
    $out = Invoke-LvsLabCommand -Lab $Name -Node client -TimeoutSec ($DurationSec + 30) -Command "wrk -t1 -c$Connections -d${DurationSec}s --latency $url"
    $text = $out -join "`n"
    $rps = if ($text -match 'Requests/sec:\s+([\d.]+)') { [double]$Matches[1] } else { 0 }
    $p50 = if ($text -match '50%\s+([\d.]+\w+)') { $Matches[1] } else { '' }
    $p99 = if ($text -match '99%\s+([\d.]+\w+)') { $Matches[1] } else { '' }
    $errors = if ($text -match 'Socket errors: (.*)') { $Matches[1] } else { '' }
    [pscustomobject]@{ Url = $url; RequestsPerSec = $rps; P50 = $p50; P99 = $p99; SocketErrors = $errors }
}

. (Join-Path $PSScriptRoot 'BenchLab.ps1')
$lab = New-BenchLab -Name $Name -Subnet $Subnet -Service '80/rr'
try {
    $vip = $lab.VirtualAddress
    # Warm up both paths (ARP, JIT, nginx workers).
    Invoke-LvsLabCommand -Lab $Name -Node client -Command "for i in 1 2 3 4; do curl -s -o /dev/null http://$vip/test.html; curl -s -o /dev/null http://$($lab.RealServers[0].Address)/test.html; done" | Out-Null

    $enginePid = (Get-LvsDirector -Name $Name).ProcessId
    function CpuSeconds {
        # utime + stime of the engine process, in clock ticks (100 per second on Linux).
        $f = (Get-Content "/proc/$enginePid/stat" -Raw) -replace '^.*\) ', '' -split ' '
        if ($env:LVSPS_CPU_SPLIT) { Write-Host "utime=$($f[11]) stime=$($f[12])" }; ([double]$f[11] + [double]$f[12]) / 100
    }
    $runs = foreach ($round in 1..$Rounds) {
        $d = Invoke-Wrk "http://$($lab.RealServers[0].Address)/test.html"
        $d | Add-Member Path 'direct' -PassThru | Add-Member Round $round -PassThru | Add-Member EngineCpuPercent 0 -PassThru
        $c0 = CpuSeconds
        $v = Invoke-Wrk "http://$vip/test.html"
        $c1 = CpuSeconds
        $v | Add-Member Path 'vip' -PassThru | Add-Member Round $round -PassThru | Add-Member EngineCpuPercent ([math]::Round(100 * ($c1 - $c0) / $DurationSec)) -PassThru
    }
    $runs | Format-Table Round, Path, RequestsPerSec, P50, P99, EngineCpuPercent, SocketErrors | Out-Host
    function Median([double[]]$x) { $s = $x | Sort-Object; if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 } }
    $direct = Median ($runs | Where-Object Path -eq 'direct' | ForEach-Object RequestsPerSec)
    $through = Median ($runs | Where-Object Path -eq 'vip' | ForEach-Object RequestsPerSec)
    $director = Get-LvsDirector -Name $Name
    [pscustomobject]@{
        DurationSec          = $DurationSec
        Connections          = $Connections
        Rounds               = $Rounds
        DirectMedianRps      = [math]::Round($direct)
        VipMedianRps         = [math]::Round($through)
        Ratio                = [math]::Round($through / $direct, 3)
        FramesForwarded      = $director.FramesForwarded
        CaptureDropped       = $director.CaptureDropped
        Distribution         = (Get-LvsRealServer -Director $Name -Port 80 | ForEach-Object { "$($_.RealAddress)=$($_.Statistics.Connections)" }) -join ' '
    }
}
finally {
    Remove-LvsLab -Name $Name -Confirm:$false
}
