#Requires -Version 7.4
<#
.SYNOPSIS
    The new-connection "collapse" reproduced and explained: back-to-back wrk runs with a new connection per request
    through the VIP (or straight to rs1 with -Direct), and after each run the client's TIME_WAIT sockets (by port
    parity), a connect() timed from an ephemeral port against one from a port bound below the ephemeral range, and
    lvsd's counters.
.DESCRIPTION
    One lab (bench/BenchLab.ps1: client, director, two nginx real servers, VIP:80 rr, DR). -Runs wrk runs of -Sec
    seconds, 16 connections, "Connection: close", one after another. After each run:
      - the client's TIME_WAIT sockets, counted by even and odd local port (the client's kernel takes even ports first
        for connect(); the default range 32768-60999 holds 14 116 of them);
      - five connect() calls from an ephemeral port and five from a port bound in 20000-30000, timed in one python3
        process (ms): when the first are slow and the second are not, the time is spent in the client's own search
        for a free port, not on the path;
      - lvsd's FramesReceived and FramesDropped, and the real servers' TIME_WAIT counts.
    -TwReuse sets net.ipv4.tcp_tw_reuse=1 in the client namespace first, and only that: the port range stays the
    default, so the runs differ from the defaults in the one setting (Set-BenchClientTuning does both).
    Bounded: -Runs x -Sec seconds of load inside the lab; the lab is removed at the end. Hold the lab lock:

        flock /tmp/lvsps-lab.lock dotnet pwsh -NoProfile -File bench/client-ports.ps1 [-Runs 10] [-Direct] [-TwReuse]
#>
param(
    [ValidateRange(1, 40)][int]$Runs = 10,
    [ValidateRange(1, 30)][int]$Sec = 5,
    [string]$Name = 'cport',
    [string]$Subnet = '10.192.0.0/24',
    [ValidateSet('pcap', 'packet')][string]$Link = 'pcap',
    [switch]$Direct,
    [switch]$TwReuse
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../LvsPS.psd1') -Force
. (Join-Path $PSScriptRoot 'BenchLab.ps1')
foreach ($tool in 'wrk', 'curl', 'python3') { if (-not (Get-Command $tool -ErrorAction SilentlyContinue)) { throw "$tool is needed (apt-get install $tool)." } }

$env:LVSPS_LINK = $Link
try { $lab = New-BenchLab -Name $Name -Subnet $Subnet -Service '80/rr' } finally { Remove-Item Env:LVSPS_LINK -ErrorAction SilentlyContinue }
try {
    $target = if ($Direct) { $lab.RealServers[0].Address } else { $lab.VirtualAddress }
    $url = "http://$target/test.html"
    $cl = $lab.Client.Namespace
    if ($TwReuse) { & ip netns exec $cl sysctl -q -w net.ipv4.tcp_tw_reuse=1 | Out-Null }
    $range = (& ip netns exec $cl sysctl -n net.ipv4.ip_local_port_range) -split '\s+'
    $reuse = & ip netns exec $cl sysctl -n net.ipv4.tcp_tw_reuse
    "target $url; client ip_local_port_range $($range -join '-'), tcp_tw_reuse $reuse"
    & ip netns exec $cl curl -s -o /dev/null $url

    # connect() timed inside one process (no process start in the figure): five from an ephemeral port, then five
    # from ports bound in 20000-30000, below the ephemeral range, so never in TIME_WAIT from wrk.
    $probe = @"
import socket, time, random, sys
def c(port):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if port: s.bind(('0.0.0.0', port))
    t = time.perf_counter(); s.connect((sys.argv[1], int(sys.argv[2]))); dt = (time.perf_counter() - t) * 1e3; s.close(); return dt
print(' '.join('%.2f' % c(0) for _ in range(5)) + '|' + ' '.join('%.2f' % c(random.randint(20000, 30000)) for _ in range(5)))
"@
    $python = if (Test-Path /usr/bin/python3) { '/usr/bin/python3' } else { (Get-Command python3).Source }
    function ConnectMs { (& ip netns exec $cl $python -c $probe $target 80) -split '\|' }
    $rows = foreach ($r in 1..$Runs) {
        $out = (& ip netns exec $cl wrk -t1 -c16 -d"$Sec"s -H 'Connection: close' $url) -join "`n"
        $rps = if ($out -match 'Requests/sec:\s+([\d.]+)') { [double]$Matches[1] } else { 0 }
        $lat = if ($out -match 'Latency\s+(\S+)') { $Matches[1] } else { '' }
        $ports = @(& ip netns exec $cl ss -Htan state time-wait | ForEach-Object { [int]((($_ -split '\s+')[2] -split ':')[-1]) })
        $odd = @($ports | Where-Object { $_ % 2 }).Count
        $plain, $bound = ConnectMs
        $d = Get-LvsDirector -Name $Name
        $rsTw = @($lab.RealServers | ForEach-Object { @(& ip netns exec $_.Namespace ss -Htan state time-wait).Count })
        [pscustomobject]@{
            Run = $r; Rps = [math]::Round($rps); Latency = $lat
            ClientTimeWaitEven = $ports.Count - $odd; ClientTimeWaitOdd = $odd
            ConnectMsEphemeral = $plain; ConnectMsBound = $bound
            RealServerTimeWait = ($rsTw -join ' / ')
            FramesReceived = $d.FramesReceived; FramesDropped = $d.FramesDropped
        }
    }
    $rows | Format-Table Run, Rps, Latency, ClientTimeWaitEven, ClientTimeWaitOdd, ConnectMsEphemeral, ConnectMsBound, RealServerTimeWait, FramesDropped -AutoSize | Out-String -Width 200
}
finally {
    Remove-LvsLab -Name $Name -Confirm:$false
}
