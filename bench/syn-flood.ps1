#Requires -Version 7.4
<#
.SYNOPSIS
    A bounded spoofed-SYN flood against a lab's VIP: lvsd's memory (RSS from /proc) and table size, and a
    keep-alive client's request rate before and during the flood.
.DESCRIPTION
    Builds a lab with two real servers, starts the director, creates TCP VIP:80 (rr) over both and hides the VIP on
    the real servers. Then wrk (-Connections keep-alive connections, one thread) in windows of -WindowSec seconds: three
    alone (before), then one after another while bench/syn-flood.py sends at most -Count spoofed SYNs for at most
    -DurationSec seconds (-Rate per second, 0 = as fast as it can) from the lab's client namespace to the VIP only
    (during), then two more (after). Ratio = median during / median before (other load on the machine moves single
    windows, the medians less).
    lvsd's RSS and connection count are sampled every 0.5 s; the peak RSS is also read from VmHWM. Prints one object
    with the figures. Removes the lab. -Defense takes a hashtable for Set-LvsDefense first (e.g. @{ DropEntry = 'Off' }).
.EXAMPLE
    sudo dotnet pwsh -File bench/syn-flood.ps1 -Count 600000 -DurationSec 30
#>
[CmdletBinding()]
param(
    [ValidateRange(1000, 5000000)][int]$Count = 600000,
    [ValidateRange(5, 60)][int]$DurationSec = 30,
    [ValidateRange(0, 10000000)][int]$Rate = 0,
    [ValidateRange(1, 256)][int]$Connections = 8,
    [ValidateRange(2, 30)][int]$WindowSec = 5,
    [hashtable]$Defense,
    [string]$Name = 'flood',
    [string]$Subnet = '10.247.0.0/24'
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../LvsPS.psd1') -Force
if (-not (Get-Command wrk -ErrorAction SilentlyContinue)) { & apt-get install -y -qq wrk | Out-Null }
$python = (Get-Command python3).Source

function Start-InNamespace([string]$ns, [string[]]$argv) {
    $psi = [System.Diagnostics.ProcessStartInfo]::new('ip')
    foreach ($a in @('netns', 'exec', $ns) + $argv) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    [System.Diagnostics.Process]::Start($psi)
}
function Read-Wrk([System.Diagnostics.Process]$p, [int]$timeoutSec) {
    $out = $p.StandardOutput.ReadToEndAsync()
    if (-not $p.WaitForExit($timeoutSec * 1000)) { $p.Kill($true); throw "wrk did not end in $timeoutSec s" }
    $text = $out.Result
    [pscustomobject]@{
        RequestsPerSec = if ($text -match 'Requests/sec:\s+([\d.]+)') { [double]$Matches[1] } else { 0 }
        SocketErrors   = if ($text -match 'Socket errors: (.*)') { $Matches[1] } else { '' }
        Timeouts       = if ($text -match 'timeout (\d+)') { [int]$Matches[1] } else { 0 }
    }
}
function Get-Rss([int]$processId) {
    $s = Get-Content "/proc/$processId/status" -Raw
    [pscustomobject]@{
        RssMB  = [math]::Round([double]([regex]::Match($s, 'VmRSS:\s+(\d+)').Groups[1].Value) / 1024, 1)
        PeakMB = [math]::Round([double]([regex]::Match($s, 'VmHWM:\s+(\d+)').Groups[1].Value) / 1024, 1)
    }
}

. (Join-Path $PSScriptRoot 'BenchLab.ps1')
$lab = New-BenchLab -Name $Name -Subnet $Subnet -Service '80/rr'
try {
    $vip = $lab.VirtualAddress
    if ($Defense) { Set-LvsDefense -Director $Name @Defense -Confirm:$false }
    Invoke-LvsLabCommand -Lab $Name -Node client -Command "for i in 1 2 3 4; do curl -s -o /dev/null http://$vip/test.html; done" | Out-Null
    $director = Get-LvsDirector -Name $Name
    $enginePid = $director.ProcessId
    $ns = $lab.Client.Namespace
    $url = "http://$vip/test.html"

    # wrk in windows of -WindowSec; lvsd's RSS and table size sampled every 0.5 s while each runs.
    $samples = [System.Collections.Generic.List[object]]::new()
    function Measure-Window([string]$phase) {
        $w = Start-InNamespace $ns @('wrk', '-t1', "-c$Connections", "-d${WindowSec}s", $url)
        while (-not $w.HasExited) {
            $r = Get-Rss $enginePid
            $d = Get-LvsDirector -Name $Name
            $samples.Add([pscustomobject]@{ Phase = $phase; RssMB = $r.RssMB; Connections = $d.ConnectionCount; Level = $d.DefenseLevel })
            Start-Sleep -Milliseconds 500
        }
        $x = Read-Wrk $w 10
        $x | Add-Member Phase $phase -PassThru
    }
    function Median([double[]]$x) { $s = $x | Sort-Object; if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 } }

    $rssStart = Get-Rss $enginePid
    $windows = [System.Collections.Generic.List[object]]::new()
    foreach ($i in 1..3) { $windows.Add((Measure-Window 'before')) }

    $flood = Start-InNamespace $ns @($python, (Join-Path $PSScriptRoot 'syn-flood.py'), '--interface', $lab.Client.Interface,
        '--mac', $director.MacAddress, '--vip', "$vip", '--port', '80', '--count', "$Count", '--duration', "$DurationSec", '--rate', "$Rate")
    $floodOut = $flood.StandardOutput.ReadToEndAsync()
    # The sender builds its frames first; measure from when it begins to send (the table starts to grow).
    $t0 = [DateTime]::UtcNow
    while ((Get-LvsDirector -Name $Name).ConnectionCount -lt 1000 -and -not $flood.HasExited -and ([DateTime]::UtcNow - $t0).TotalSeconds -lt 120) { Start-Sleep -Milliseconds 100 }
    while (-not $flood.HasExited) { $windows.Add((Measure-Window 'during')) }
    $floodLine = $floodOut.Result.Trim()
    foreach ($i in 1..2) { $windows.Add((Measure-Window 'after')) }
    $windows | Format-Table Phase, RequestsPerSec, SocketErrors | Out-Host
    $rssEnd = Get-Rss $enginePid
    $status = Get-LvsDirector -Name $Name
    $before = Median ($windows | Where-Object Phase -eq 'before' | ForEach-Object RequestsPerSec)
    $duringAll = @($windows | Where-Object Phase -eq 'during' | ForEach-Object RequestsPerSec)
    $during = Median $duringAll
    $after = Median ($windows | Where-Object Phase -eq 'after' | ForEach-Object RequestsPerSec)
    $defenseNow = Get-LvsDefense -Director $Name
    [pscustomobject]@{
        FloodSent           = $floodLine
        DurationSec         = $DurationSec
        RssStartMB          = $rssStart.RssMB
        RssBeforeFloodMB    = (($samples | Where-Object Phase -eq 'before' | Measure-Object RssMB -Maximum).Maximum)
        RssPeakSampledMB    = ($samples | Measure-Object RssMB -Maximum).Maximum
        RssPeakVmHwmMB      = $rssEnd.PeakMB
        TablePeak           = ($samples | Measure-Object Connections -Maximum).Maximum
        ConnectionLimit     = $status.ConnectionLimit
        Levels              = (($samples | ForEach-Object { "$($_.Level)" } | Select-Object -Unique) -join ' / ')
        RpsBefore           = [math]::Round($before)
        RpsDuring           = [math]::Round($during)
        RpsDuringWindows    = ($duringAll | ForEach-Object { [math]::Round($_) }) -join ' '
        RpsAfter            = [math]::Round($after)
        Ratio               = if ($before) { [math]::Round($during / $before, 3) } else { 0 }
        WrkErrors           = (($windows | Where-Object SocketErrors | ForEach-Object { "$($_.Phase): $($_.SocketErrors)" }) -join '; ')
        EntriesDropped      = $status.EntriesDropped
        ConnectionsRefused  = $status.ConnectionsRefused
        CaptureDropped      = $status.CaptureDropped
        Settings            = "$defenseNow"
    }
}
finally {
    Remove-LvsLab -Name $Name -Confirm:$false
}
