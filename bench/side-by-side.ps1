#Requires -Version 7.4
<#
.SYNOPSIS
    Side by side in one lab: HTTP straight to a real server, through lvsd (DR) with each packet link, and through
    HAProxy (TCP mode) on the director node; then loss-free small-UDP packets/s through lvsd against the kernel's
    bridge path.
.DESCRIPTION
    One lab (client, director, two nginx real servers), TCP VIP:80 (rr) over both real servers and UDP VIP:9000 over
    rs1. HAProxy 2.6 (Debian's haproxy) runs in the director's namespace with its own config and pid file in a temp
    folder, listening on the director's address, port 80, and balancing over the same two real servers.
    For each round, for each lvsd link (-Links: "pcap", "packet", "packet2" = AF_PACKET with two PACKET_FANOUT
    receive threads; lvsd is restarted with LVSPS_LINK/LVSPS_RX_THREADS and restores its services), for each case
    (keep-alive 16 and 64 connections, a new connection per request with "Connection: close", 16 and 64), wrk runs
    -DurationSec seconds straight to rs1, then through the VIP, then (first link only) through HAProxy: the paths
    interleaved so that noise hits each. The client namespace is tuned as a load generator is, for every path alike
    (Set-BenchClientTuning in bench/BenchLab.ps1). lvsd's CPU (utime + stime from /proc/PID/stat) and forwarded
    frames (its counters) are read around each VIP run.
    UDP: for each path (straight to rs1 = the kernel's bridge path, and through lvsd with each link) a bounded
    sender in the client namespace sends -UdpSeconds worth of 18-byte datagrams at each rate of -UdpRates from 8
    source ports (sendmmsg batches of 32); a receiver on rs1 counts them. The sender reports the rate it really
    reached (it pays for the whole path in softirq, so on a busy box it falls short of the rate asked); reported per
    path: the highest reached rate with nothing lost (the series ends at the first loss), and whether the sender fell
    short (under 95 %) of any rate asked.
    Bounded: every run is limited in time and count, traffic stays inside the lab, HAProxy is stopped by its PID and
    the lab is removed at the end.
.EXAMPLE
    sudo flock /tmp/lvsps-lab.lock dotnet pwsh -File bench/side-by-side.ps1 -Name piosbs -Subnet 10.191.0.0/24
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 60)][int]$DurationSec = 5,
    [ValidateRange(1, 10)][int]$Rounds = 2,
    [string[]]$Links = @('pcap', 'packet', 'packet2'),
    [int[]]$UdpRates = @(25000, 50000, 75000, 100000, 150000, 200000, 300000, 400000, 500000, 700000, 1000000),
    [ValidateRange(1, 10)][int]$UdpSeconds = 1,
    [string[]]$Cases = @('keep-alive 16', 'keep-alive 64', 'new conn 16', 'new conn 64'),
    [switch]$SkipHttp,
    [switch]$SkipUdp,
    [string]$Name = 'sbs',
    [string]$Subnet = '10.248.0.0/24'
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../LvsPS.psd1') -Force
foreach ($tool in 'wrk', 'haproxy', 'gcc') {
    if (-not (Get-Command $tool -ErrorAction SilentlyContinue)) { throw "$tool is needed (apt-get install wrk haproxy gcc)." }
}
$work = Join-Path ([IO.Path]::GetTempPath()) "lvsps-sbs-$PID"
New-Item -ItemType Directory -Path $work | Out-Null

function Median([double[]]$x) { $s = @($x | Sort-Object); if ($s.Count -eq 0) { return 0 }; if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 } }

$allCases = @(
    @{ Case = 'keep-alive 16'; C = 16; Close = $false },
    @{ Case = 'keep-alive 64'; C = 64; Close = $false },
    @{ Case = 'new conn 16'; C = 16; Close = $true },
    @{ Case = 'new conn 64'; C = 64; Close = $true }
)

$runCases = @($allCases | Where-Object { $_.Case -in $Cases })

function Invoke-Wrk([string]$url, [int]$c, [bool]$close) {
    $h = if ($close) { " -H 'Connection: close'" } else { '' }
    $out = Invoke-LvsLabCommand -Lab $Name -Node client -TimeoutSec ($DurationSec + 30) -Command "wrk -t1 -c$c -d${DurationSec}s$h $url"
    $text = $out -join "`n"
    $rps = if ($text -match 'Requests/sec:\s+([\d.]+)') { [double]$Matches[1] } else { 0 }
    $errors = if ($text -match 'Socket errors: (.*)') { $Matches[1] } else { '' }
    [pscustomobject]@{ RequestsPerSec = $rps; SocketErrors = $errors }
}

function Get-CpuTicks([int]$procId) {
    $f = (Get-Content "/proc/$procId/stat" -Raw) -replace '^.*\) ', '' -split ' '
    [double]$f[11] + [double]$f[12]   # utime + stime, clock ticks (100 per second)
}

# The whole machine's CPU (client, director, real servers): busy = user + nice + system + irq + softirq, all = busy +
# idle + iowait + steal, in clock ticks summed over the cores (/proc/stat's first line).
function Get-MachineTicks {
    $f = -split (Get-Content /proc/stat -TotalCount 1)
    $busy = [double]$f[1] + [double]$f[2] + [double]$f[3] + [double]$f[6] + [double]$f[7]
    [pscustomobject]@{ Busy = $busy; All = $busy + [double]$f[4] + [double]$f[5] + [double]$f[8] }
}

# wrk with the machine's CPU read around it: MachineBusy is the share of all cores busy during the run, MachineUsPerReq
# the machine's busy CPU per request (µs), the measure of what each path costs the box as a whole.
function Invoke-MeasuredWrk([string]$url, [int]$c, [bool]$close) {
    $m0 = Get-MachineTicks
    $r = Invoke-Wrk $url $c $close
    $m1 = Get-MachineTicks
    $busy = $m1.Busy - $m0.Busy; $all = $m1.All - $m0.All
    $r | Add-Member MachineBusy ($(if ($all) { [math]::Round($busy / $all, 3) } else { 0 }))
    $r | Add-Member MachineUsPerReq ($(if ($r.RequestsPerSec) { [math]::Round($busy / 100 * 1e6 / ($r.RequestsPerSec * $DurationSec), 2) } else { 0 }))
    $r
}

function Start-Engine([string]$link) {
    if (Get-LvsDirector -Name $Name -ErrorAction SilentlyContinue | Where-Object ProcessId) { Stop-LvsDirector -Name $Name -Confirm:$false | Out-Null }
    # "pcap", "packet", "packet2" (two fanout threads); "+opt" adds LVSPS_PACKET_OPTS for experiments (packet+nobatch);
    # "+keep" starts lvsd with -KernelCopy Keep (the director kernel gets its copy of the VIP frames, as before 2026-12-02).
    $base, $opts = $link -split '\+', 2
    $words = @(($opts -split '\+') | Where-Object { $_ })
    $copy = if ($words -contains 'keep') { 'Keep' } else { 'Drop' }
    $env:LVSPS_LINK = if ($base -eq 'pcap') { 'pcap' } else { 'packet' }
    $env:LVSPS_RX_THREADS = if ($base -match '(\d+)$') { $Matches[1] } else { '1' }
    $env:LVSPS_PACKET_OPTS = (@($words | Where-Object { $_ -ne 'keep' }) -join ',')
    Start-LvsDirector -Lab $Name -KernelCopy $copy | Out-Null
    Remove-Item Env:LVSPS_LINK, Env:LVSPS_RX_THREADS, Env:LVSPS_PACKET_OPTS -ErrorAction SilentlyContinue
    # Warm up: ARP, JIT, nginx workers.
    Invoke-LvsLabCommand -Lab $Name -Node client -Command "for i in 1 2 3 4 5 6; do curl -s -o /dev/null http://$vip/test.html; done" | Out-Null
    (Get-LvsDirector -Name $Name).ProcessId
}

. (Join-Path $PSScriptRoot 'BenchLab.ps1')
$blast = New-BenchUdpBlast $work
$lab = New-BenchLab -Name $Name -Subnet $Subnet -Service '80/rr'
$haproxyPid = $null
try {
    $vip = $lab.VirtualAddress
    $rs1 = $lab.RealServers[0]
    $dirNs = $lab.Director.Namespace
    Add-BenchUdpService $lab

    # HAProxy in the director's namespace, its own config and pid file.
    $cfg = Join-Path $work 'haproxy.cfg'
    $servers = ($lab.RealServers | ForEach-Object { "    server $($_.Name) $($_.Address):80" }) -join "`n"
    Set-Content -Path $cfg -Value @"
global
    maxconn 8000
defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend http
    bind $($lab.Director.Address):80
    default_backend rs
backend rs
    balance roundrobin
$servers
"@
    & ip netns exec $dirNs sysctl -q -w net.ipv4.ip_local_port_range='1024 65000' net.ipv4.tcp_tw_reuse=1 net.core.somaxconn=4096 | Out-Null
    Set-BenchClientTuning $lab   # the same for the direct, lvsd and HAProxy runs
    & ip netns exec $dirNs haproxy -D -f $cfg -p (Join-Path $work 'haproxy.pid')
    if ($LASTEXITCODE) { throw 'haproxy did not start' }
    Start-Sleep -Milliseconds 300
    $haproxyPid = [int](Get-Content (Join-Path $work 'haproxy.pid') | Select-Object -First 1)
    $haUrl = "http://$($lab.Director.Address)/test.html"
    $directUrl = "http://$($rs1.Address)/test.html"
    $vipUrl = "http://$vip/test.html"
    Invoke-LvsLabCommand -Lab $Name -Node client -Command "curl -s -o /dev/null -w '%{http_code}' $haUrl" | Out-Null

    $runs = [System.Collections.Generic.List[object]]::new()
    if (-not $SkipHttp) {
        foreach ($round in 1..$Rounds) {
            foreach ($link in $Links) {
                $enginePid = Start-Engine $link
                foreach ($c in $runCases) {
                    $d = Invoke-MeasuredWrk $directUrl $c.C $c.Close
                    $runs.Add([pscustomobject]@{ Round = $round; Case = $c.Case; Path = 'direct'; Rps = $d.RequestsPerSec; CpuSec = 0; Frames = 0
                        Busy = $d.MachineBusy; UsPerReq = $d.MachineUsPerReq; Errors = $d.SocketErrors })
                    $s0 = Get-LvsDirector -Name $Name; $t0 = Get-CpuTicks $enginePid
                    $v = Invoke-MeasuredWrk $vipUrl $c.C $c.Close
                    $t1 = Get-CpuTicks $enginePid; $s1 = Get-LvsDirector -Name $Name
                    $runs.Add([pscustomobject]@{ Round = $round; Case = $c.Case; Path = "lvsd-$link"; Rps = $v.RequestsPerSec; CpuSec = ($t1 - $t0) / 100
                        Frames = $s1.FramesForwarded - $s0.FramesForwarded; Refused = $s1.ConnectionsRefused - $s0.ConnectionsRefused
                        Busy = $v.MachineBusy; UsPerReq = $v.MachineUsPerReq; Errors = $v.SocketErrors })
                    if ($link -eq $Links[0]) {
                        $h0 = Get-CpuTicks $haproxyPid
                        $h = Invoke-MeasuredWrk $haUrl $c.C $c.Close
                        $h1 = Get-CpuTicks $haproxyPid
                        $runs.Add([pscustomobject]@{ Round = $round; Case = $c.Case; Path = 'haproxy'; Rps = $h.RequestsPerSec; CpuSec = ($h1 - $h0) / 100; Frames = 0
                            Busy = $h.MachineBusy; UsPerReq = $h.MachineUsPerReq; Errors = $h.SocketErrors })
                    }
                }
            }
        }
        $runs | Format-Table Round, Case, Path, Rps, CpuSec, Frames, Refused, Busy, UsPerReq, Errors | Out-Host
        $summary = foreach ($c in $runCases) {
            $directRuns = @($runs | Where-Object { $_.Case -eq $c.Case -and $_.Path -eq 'direct' })
            $haRuns = @($runs | Where-Object { $_.Case -eq $c.Case -and $_.Path -eq 'haproxy' })
            $direct = Median ($directRuns | ForEach-Object Rps)
            $ha = Median ($haRuns | ForEach-Object Rps)
            $directUs = Median ($directRuns | ForEach-Object UsPerReq)
            $row = [ordered]@{ Case = $c.Case; Direct = [math]::Round($direct); HAProxy = [math]::Round($ha); 'HAProxy/direct' = [math]::Round($ha / $direct, 3)
                'direct busy' = Median ($directRuns | ForEach-Object Busy)
                'direct machine us/req' = $directUs
                'HAProxy machine us/req' = Median ($haRuns | ForEach-Object UsPerReq) }
            foreach ($link in $Links) {
                $sel = @($runs | Where-Object { $_.Case -eq $c.Case -and $_.Path -eq "lvsd-$link" })
                $rps = Median ($sel | ForEach-Object Rps)
                $cpu = ($sel | Measure-Object CpuSec -Sum).Sum
                $frames = ($sel | Measure-Object Frames -Sum).Sum
                $row["$link"] = [math]::Round($rps)
                $row["$link/direct"] = [math]::Round($rps / $direct, 3)
                $row["$link cpu-s/Mframe"] = if ($frames) { [math]::Round($cpu / $frames * 1e6, 2) } else { 0 }
                $row["$link %core"] = [math]::Round(100 * $cpu / ($sel.Count * $DurationSec))
                # the machine's CPU per request through this link, and the ratio a saturated box allows at that cost:
                # when every core is busy, req/s is cores ÷ CPU per request, so the best lvsd ÷ direct is direct's CPU
                # per request ÷ this path's
                $us = Median ($sel | ForEach-Object UsPerReq)
                $row["$link machine us/req"] = $us
                $row["$link busy"] = Median ($sel | ForEach-Object Busy)
                $row["$link cpu-bound ratio"] = if ($us) { [math]::Round($directUs / $us, 3) } else { 0 }
            }
            [pscustomobject]$row
        }
        $summary | Format-List | Out-Host
        $summary | ConvertTo-Json | Set-Content (Join-Path $work 'http.json')
    }

    if (-not $SkipUdp) {
        function Test-UdpRate([string]$target, [int]$rate) {
            $count = $rate * $UdpSeconds
            $rsNs = $rs1.Namespace
            $clientNs = $lab.Client.Namespace
            $maxMs = ($UdpSeconds + 3) * 1000
            $out = & bash -c "ip netns exec $rsNs $blast recv 9000 500 $maxMs > $work/recv.out & r=`$!; for i in `$(seq 50); do grep -q ready $work/recv.out 2>/dev/null && break; sleep 0.05; done; ip netns exec $clientNs $blast send $target 9000 $rate $count 8; wait `$r; tail -1 $work/recv.out"
            $got = [long](($out | Select-Object -Last 1))
            # the rate the sender really reached ("sent N in S s"): above what it can do, a rate is not a test of the path
            $reached = if (($out -join "`n") -match 'sent (\d+) in ([\d.]+) s') { [math]::Round([double]$Matches[1] / [math]::Max([double]$Matches[2], 0.001)) } else { 0 }
            [pscustomobject]@{ Rate = $rate; Sent = $count; Reached = $reached; Received = $got; Lost = $count - $got; SenderLimited = $reached -lt 0.95 * $rate }
        }
        $udp = foreach ($path in @('bridge') + $Links) {
            if ($path -ne 'bridge') { Start-Engine $path | Out-Null }
            $target = if ($path -eq 'bridge') { "$($rs1.Address)" } else { "$vip" }
            Test-UdpRate $target 1000 | Out-Null   # ARP and the connection entries
            # the best is the highest rate the sender really reached with nothing lost; the series ends at the first loss
            $best = 0; $limited = $false
            $trials = foreach ($rate in $UdpRates) {
                $t = Test-UdpRate $target $rate
                $t | Add-Member Path $path -PassThru
                if ($t.SenderLimited) { $limited = $true }
                if ($t.Lost -le 0) { $best = [math]::Max($best, $t.Reached) } else { break }
            }
            $trials | Format-Table Path, Rate, Sent, Reached, Received, Lost, SenderLimited | Out-Host
            [pscustomobject]@{ Path = $path; LossFreePps = $best; SenderLimited = $limited }
        }
        $udp | Format-Table | Out-Host
        $udp | ConvertTo-Json | Set-Content (Join-Path $work 'udp.json')
    }
    Write-Host "results in $work"
}
finally {
    if ($haproxyPid) { & kill $haproxyPid 2>$null }
    Remove-LvsLab -Name $Name -Confirm:$false
}
