#Requires -Version 7.4
<#
.SYNOPSIS
    Where lvsd's CPU goes while it forwards small UDP: a lab (New-BenchLab), UDP VIP:9000 over rs1, lvsd with the
    chosen link, an 8 s blast of 18-byte datagrams from the client (bench/udp-blast.c) and, 2 s into it, a 4 s
    system-wide perf record with call graphs (lvsd runs with DOTNET_PerfMapEnabled=1, so its JIT-compiled methods have
    names). Prints what was sent and received and lvsd's utime/stime; the profile is left in -Output for perf report,
    e.g. `perf report -i FILE --no-children --comm lvsd-rx0.0 --sort symbol` or `--children` for the shares of whole
    call trees. Bounded: one blast of Rate x 8 datagrams, traffic only inside the lab, which is removed at the end.
.EXAMPLE
    flock /tmp/lvsps-lab.lock dotnet pwsh -NoProfile -File bench/udp-profile.ps1 -Link packet -Rate 240000
#>
[CmdletBinding()]
param(
    [ValidateSet('pcap', 'packet')][string]$Link = 'packet',
    [ValidateRange(1000, 1000000)][int]$Rate = 240000,
    [string]$Output = '/tmp/lvsps-udp-profile.data',
    [string]$Name = 'udpprof',
    [string]$Subnet = '10.192.0.0/24'
)
$ErrorActionPreference = 'Stop'
foreach ($tool in 'perf', 'gcc') { if (-not (Get-Command $tool -ErrorAction SilentlyContinue)) { throw "$tool is needed (apt-get install linux-perf gcc)." } }
Import-Module (Join-Path $PSScriptRoot '../LvsPS.psd1') -Force
. (Join-Path $PSScriptRoot 'BenchLab.ps1')
$work = Join-Path ([IO.Path]::GetTempPath()) "lvsps-udpprof-$PID"
New-Item -ItemType Directory -Path $work | Out-Null
$blast = New-BenchUdpBlast $work
$env:DOTNET_PerfMapEnabled = '1'; $env:DOTNET_EnableWriteXorExecute = '0'; $env:LVSPS_LINK = $Link
$lab = New-BenchLab -Name $Name -Subnet $Subnet -Service '80/rr'
try {
    $vip = $lab.VirtualAddress; $rs1 = $lab.RealServers[0]
    Add-BenchUdpService $lab
    $dpid = (Get-LvsDirector -Name $Name).ProcessId
    $count = $Rate * 8
    & bash -c "ip netns exec $($rs1.Namespace) $blast recv 9000 500 12000 > $work/recv.out & r=`$!; for i in `$(seq 50); do grep -q ready $work/recv.out 2>/dev/null && break; sleep 0.05; done; ip netns exec $($lab.Client.Namespace) $blast send $vip 9000 $Rate $count 8 > $work/send.out & s=`$!; sleep 2; perf record -a -g -F 1999 -o $Output -- sleep 4 2>/dev/null; wait `$s; wait `$r; cat $work/send.out; echo received `$(tail -1 $work/recv.out)"
    $f = ((Get-Content "/proc/$dpid/stat" -Raw) -replace '^.*\) ', '') -split ' '
    "lvsd pid ${dpid}: utime $($f[11]) stime $($f[12]) ticks; profile in $Output"
}
finally {
    Remove-Item Env:DOTNET_PerfMapEnabled, Env:DOTNET_EnableWriteXorExecute, Env:LVSPS_LINK -ErrorAction SilentlyContinue
    Remove-LvsLab -Name $Name -Confirm:$false
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}
