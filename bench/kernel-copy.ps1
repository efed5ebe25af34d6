#Requires -Version 7.4
<#
.SYNOPSIS
    What the director kernel's copy of the VIP frames costs: the same HTTP load through lvsd with -KernelCopy Drop
    (lvsd's tc ingress filter) and -KernelCopy Keep, the whole machine's CPU per request compared.
.DESCRIPTION
    One lab (client, director, two nginx real servers), TCP VIP:80 (rr). For each round, for each mode (Drop, then
    Keep; lvsd restarted with -KernelCopy, its services restored), for each case (keep-alive and a new connection per
    request, -Connections each), wrk runs -DurationSec seconds from the client through the VIP. Read around each run:
    the machine's busy CPU (user + nice + system + irq + softirq from /proc/stat: client, director and real servers
    all share this machine, and the kernel's copy is processed in softirq, charged to whichever task runs), lvsd's own
    CPU (/proc/PID/stat), the frames it forwarded, and the director namespace's Ip InAddrErrors (/proc/net/snmp: the
    copies the kernel routed to discard). Reported per case and mode: requests, CPU microseconds per request for the
    machine and for lvsd, and kernel copies per forwarded frame, with the ratio Drop / Keep. The client namespace is
    tuned as a load generator is (Set-BenchClientTuning in bench/BenchLab.ps1).
    Bounded: wrk runs are limited in time, traffic stays inside the lab, the lab is removed at the end.
.EXAMPLE
    sudo flock /tmp/lvsps-lab.lock dotnet pwsh -NoProfile -File bench/kernel-copy.ps1 -Rounds 4
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 60)][int]$DurationSec = 5,
    [ValidateRange(1, 10)][int]$Rounds = 4,
    [ValidateRange(1, 256)][int]$Connections = 16,
    [string]$Name = 'kcopy',
    [string]$Subnet = '10.184.0.0/24'
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../LvsPS.psd1') -Force
if (-not (Get-Command wrk -ErrorAction SilentlyContinue)) { throw 'wrk is needed (apt-get install wrk).' }
. (Join-Path $PSScriptRoot 'BenchLab.ps1')

function Get-BusyTicks { $f = -split (Get-Content /proc/stat -TotalCount 1); [long]$f[1] + [long]$f[2] + [long]$f[3] + [long]$f[6] + [long]$f[7] }
function Get-ProcTicks([int]$procId) { $f = (Get-Content "/proc/$procId/stat" -Raw) -replace '^.*\) ', '' -split ' '; [long]$f[11] + [long]$f[12] }
function Get-InAddrErrors {
    $ip = @(Invoke-LvsLabCommand -Lab $Name -Node director -Command 'cat /proc/net/snmp' | Where-Object { $_ -like 'Ip:*' })
    $names = -split $ip[0]; $values = -split $ip[1]
    [long]$values[[array]::IndexOf($names, 'InAddrErrors')]
}

$lab = New-BenchLab -Name $Name -Subnet $Subnet -Service '80/rr'
try {
    $url = "http://$($lab.VirtualAddress)/test.html"
    Set-BenchClientTuning $lab
    $cases = @(@{ Case = "keep-alive $Connections"; H = '' }, @{ Case = "new conn $Connections"; H = " -H 'Connection: close'" })
    $runs = foreach ($round in 1..$Rounds) {
        foreach ($mode in 'Drop', 'Keep') {
            Stop-LvsDirector -Name $Name -Confirm:$false | Out-Null
            Start-LvsDirector -Lab $Name -KernelCopy $mode | Out-Null
            $d = Get-LvsDirector -Name $Name
            if ($d.KernelCopy -ne $mode) { throw "lvsd reports KernelCopy $($d.KernelCopy) ($($d.KernelCopyNote)), not $mode" }
            Invoke-LvsLabCommand -Lab $Name -Node client -Command "for i in 1 2 3 4 5 6; do curl -s -o /dev/null $url; done" | Out-Null
            foreach ($c in $cases) {
                $b0 = Get-BusyTicks; $p0 = Get-ProcTicks $d.ProcessId; $e0 = Get-InAddrErrors; $f0 = (Get-LvsDirector -Name $Name).FramesForwarded
                $out = (Invoke-LvsLabCommand -Lab $Name -Node client -TimeoutSec ($DurationSec + 30) -Command "wrk -t1 -c$Connections -d${DurationSec}s$($c.H) $url") -join "`n"
                $b1 = Get-BusyTicks; $p1 = Get-ProcTicks $d.ProcessId; $e1 = Get-InAddrErrors; $f1 = (Get-LvsDirector -Name $Name).FramesForwarded
                $requests = if ($out -match '(\d+) requests in') { [long]$Matches[1] } else { 0 }
                [pscustomobject]@{ Round = $round; Case = $c.Case; Mode = $mode; Requests = $requests; BusySec = ($b1 - $b0) / 100
                    LvsdSec = ($p1 - $p0) / 100; Frames = $f1 - $f0; KernelCopies = $e1 - $e0 }
            }
        }
    }
    $runs | Format-Table | Out-Host
    $summary = foreach ($c in $cases) {
        $row = [ordered]@{ Case = $c.Case }
        foreach ($mode in 'Drop', 'Keep') {
            $sel = @($runs | Where-Object { $_.Case -eq $c.Case -and $_.Mode -eq $mode })
            $req = ($sel | Measure-Object Requests -Sum).Sum; $frames = ($sel | Measure-Object Frames -Sum).Sum
            $row["$mode req/s"] = [math]::Round($req / ($sel.Count * $DurationSec))
            $row["$mode machine us/req"] = [math]::Round(($sel | Measure-Object BusySec -Sum).Sum * 1e6 / $req, 2)
            $row["$mode lvsd us/req"] = [math]::Round(($sel | Measure-Object LvsdSec -Sum).Sum * 1e6 / $req, 2)
            $row["$mode copies/frame"] = [math]::Round(($sel | Measure-Object KernelCopies -Sum).Sum / [math]::Max($frames, 1), 3)
        }
        $row['machine us/req Drop/Keep'] = [math]::Round($row['Drop machine us/req'] / $row['Keep machine us/req'], 3)
        [pscustomobject]$row
    }
    $summary | Format-List | Out-Host
}
finally {
    Remove-LvsLab -Name $Name -Confirm:$false
}
