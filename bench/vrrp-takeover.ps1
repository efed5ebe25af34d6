#Requires -Version 7.4
<#
.SYNOPSIS
    VRRP takeover time between lvsd and keepalived 2.2.7: kill -9 of the master, seen from the lab's client.
.DESCRIPTION
    Builds a one-director engine lab (client, director running lvsd, one real server) and a keepalived peer in an
    extra namespace on the lab's bridge (address .250, its own config, pid files and log under the lab's folder).
    lvsd is master (priority 200), keepalived backup (priority 100), both VRRPv3 with -AdvertInterval. Each round:
    the client's neighbour entry for the VIP holds lvsd's MAC; lvsd is killed with SIGKILL (no priority 0); a
    bash loop in the client's namespace polls its neighbour entry (ip neigh, every few ms) until it holds
    keepalived's MAC (keepalived's gratuitous ARP on becoming master). The takeover time is from the kill to that
    moment, on CLOCK_REALTIME (shared by the namespaces). Then lvsd is started again (Start-LvsDirector: the state
    file brings the instance back), preempts, and the client's entry is back on lvsd's MAC before the next round.
    Prints one row per round and a summary (min, median, p90, max). Removes the peer and the lab.
    Dot-sourced (tests/pester/Vrrp.Tests.ps1), it only defines the helpers.
.EXAMPLE
    sudo dotnet pwsh -File bench/vrrp-takeover.ps1 -Rounds 20 -AdvertInterval 0.25
    sudo dotnet pwsh -File bench/vrrp-takeover.ps1 -Rounds 20 -AdvertInterval 1
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 50)][int]$Rounds = 20,
    [ValidateSet(0.25, 1.0)][double]$AdvertInterval = 0.25,
    [string]$Name = 'vrrpbench',
    [string]$Subnet = '10.237.0.0/24'
)

function New-VrrpPeer {
    # A namespace lvs-<lab>-ka on the lab's bridge: veth p-ka (switch side) to eth0, address .250, offloads off.
    param([Parameter(Mandatory)][object]$Lab)
    $ns = "lvs-$($Lab.Name)-ka"
    $prefix = ($Lab.Client.Address.ToString() -replace '\.\d+$', '')
    $address = "$prefix.250"
    $dir = Join-Path $Lab.Directory 'keepalived'
    New-Item -ItemType Directory -Force -Path $dir | Out-Null
    & ip netns add $ns
    & ip -n $Lab.SwitchNamespace link add p-ka type veth peer name eth0 netns $ns
    & ip -n $ns link set eth0 address 02:4c:56:00:00:fa
    & ip -n $ns addr add "$address/$($Lab.PrefixLength)" dev eth0
    & ip netns exec $ns ethtool -K eth0 tx off gso off tso off gro off 2>$null | Out-Null
    & ip netns exec $Lab.SwitchNamespace ethtool -K p-ka tx off gso off tso off gro off 2>$null | Out-Null
    & ip -n $Lab.SwitchNamespace link set p-ka master br0 up
    & ip -n $ns link set eth0 up
    & ip -n $ns link set lo up
    [pscustomobject]@{ Namespace = $ns; Address = [System.Net.IPAddress]::Parse($address); Mac = '02:4c:56:00:00:fa'; Dir = $dir; Pid = 0; VrrpPid = 0; Run = 0 }
}

function Get-VrrpPeerConfig {
    # One vrrp_instance for keepalived (keepalived.conf(5) keywords); nothing else runs there.
    param(
        [Parameter(Mandatory)][System.Net.IPAddress]$Vip,
        [int]$Priority = 100, [int]$Version = 3, [double]$AdvertInterval = 1, [int]$Vrid = 51,
        [switch]$NoPreempt, [double]$PreemptDelay = 0, [string]$Password, [string[]]$UnicastPeer, [int]$PrefixLength = 24
    )
    $inv = [cultureinfo]::InvariantCulture
    $lines = @(
        'global_defs {', '  router_id lvsps_peer', '  vrrp_garp_master_delay 5', '  vrrp_garp_master_repeat 5', '}',
        'vrrp_instance VI_1 {', '  state BACKUP', '  interface eth0', "  virtual_router_id $Vrid", "  priority $Priority",
        "  version $Version", "  advert_int $($AdvertInterval.ToString($inv))"
    )
    if ($NoPreempt) { $lines += '  nopreempt' }
    if ($PreemptDelay -gt 0) { $lines += "  preempt_delay $($PreemptDelay.ToString($inv))" }
    if ($Password) { $lines += '  authentication {', '    auth_type PASS', "    auth_pass $Password", '  }' }
    if ($UnicastPeer) { $lines += '  unicast_peer {'; $lines += $UnicastPeer | ForEach-Object { "    $_" }; $lines += '  }' }
    $lines += "  virtual_ipaddress {", "    $Vip/$PrefixLength dev eth0", '  }', '}'
    ($lines -join "`n") + "`n"
}

function Start-VrrpPeer {
    # keepalived -n (no fork of the parent), VRRP only, its own pid files, --dont-respawn (a killed VRRP child stays
    # dead); waits for its VRRP child's pid file. Records both pids.
    param([Parameter(Mandatory)][object]$Peer, [Parameter(Mandatory)][string]$Config)
    Stop-VrrpPeer $Peer
    $Peer.Run++
    $conf = Join-Path $Peer.Dir 'keepalived.conf'
    Set-Content -Path $conf -Value $Config -NoNewline
    foreach ($f in 'main.pid', 'vrrp.pid', 'checkers.pid') { Remove-Item (Join-Path $Peer.Dir $f) -ErrorAction SilentlyContinue }
    $log = Join-Path $Peer.Dir "keepalived.$($Peer.Run).log"
    $p = Start-Process -FilePath ip -PassThru -RedirectStandardOutput $log -RedirectStandardError "$log.err" -ArgumentList @(
        'netns', 'exec', $Peer.Namespace, '/usr/sbin/keepalived', '-n', '-l', '-D', '-P', '--dont-respawn', '-f', $conf,
        '-p', (Join-Path $Peer.Dir 'main.pid'), '-r', (Join-Path $Peer.Dir 'vrrp.pid'), '-c', (Join-Path $Peer.Dir 'checkers.pid'))
    $Peer.Pid = $p.Id
    $vrrpPid = Join-Path $Peer.Dir 'vrrp.pid'
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    while (-not (Test-Path $vrrpPid) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
    if (-not (Test-Path $vrrpPid)) { throw "keepalived did not start: $(Get-Content -Raw $log -ErrorAction SilentlyContinue)" }
    $Peer.VrrpPid = [int](Get-Content $vrrpPid -Raw).Trim()
}

function Stop-VrrpPeer {
    # The pids this peer recorded, nothing else: SIGTERM (keepalived sends priority 0 and removes its VIPs), then SIGKILL.
    param([Parameter(Mandatory)][object]$Peer, [switch]$Kill)
    foreach ($id in @($Peer.Pid, $Peer.VrrpPid) | Where-Object { $_ -gt 0 }) {
        if (Test-Path "/proc/$id") { & kill $(if ($Kill) { '-KILL' } else { '-TERM' }) $id 2>$null }
    }
    $deadline = [DateTime]::UtcNow.AddSeconds(5)
    while ([DateTime]::UtcNow -lt $deadline -and (@($Peer.Pid, $Peer.VrrpPid) | Where-Object { $_ -gt 0 -and (Test-Path "/proc/$_") })) { Start-Sleep -Milliseconds 50 }
    foreach ($id in @($Peer.Pid, $Peer.VrrpPid) | Where-Object { $_ -gt 0 }) { if (Test-Path "/proc/$id") { & kill -KILL $id 2>$null } }
    $Peer.Pid = 0; $Peer.VrrpPid = 0
    # A killed keepalived leaves its VIPs; the next run starts clean.
    & ip -n $Peer.Namespace -4 addr flush dev eth0 scope global 2>$null
    & ip -n $Peer.Namespace addr add "$($Peer.Address)/24" dev eth0 2>$null
}

function Remove-VrrpPeer {
    param([object]$Peer)
    if (-not $Peer) { return }
    Stop-VrrpPeer $Peer -Kill
    & ip netns del $Peer.Namespace 2>$null
}

function Test-VrrpPeerHoldsVip {
    param([Parameter(Mandatory)][object]$Peer, [Parameter(Mandatory)][System.Net.IPAddress]$Vip)
    [bool]((& ip -n $Peer.Namespace -4 -o addr show dev eth0) -match [regex]::Escape(" $Vip/"))
}

function Get-VrrpPeerLog {
    param([Parameter(Mandatory)][object]$Peer)
    # keepalived -l writes its log to the console: stdout and stderr, both kept.
    $log = Join-Path $Peer.Dir "keepalived.$($Peer.Run).log"
    (@($log, "$log.err") | ForEach-Object { Get-Content -Raw $_ -ErrorAction SilentlyContinue }) -join ''
}

function Get-VrrpClientArp {
    # Who answers the client's ARP for the VIP now: its neighbour entry flushed, one ping (ARP first), the MAC learnt.
    param([Parameter(Mandatory)][object]$Lab, [Parameter(Mandatory)][System.Net.IPAddress]$Vip)
    $ns = $Lab.Client.Namespace
    & ip -n $ns neigh flush to $Vip.ToString() dev eth0 2>$null
    & ip netns exec $ns ping -c 1 -W 1 $Vip.ToString() 2>$null | Out-Null
    $line = & ip -n $ns neigh show to $Vip.ToString() dev eth0
    if ("$line" -match 'lladdr ([0-9a-f:]{17})') { $Matches[1] } else { $null }
}

function Wait-VrrpCondition {
    # Polls a condition until it holds or the time is up; true when it held.
    param([Parameter(Mandatory)][scriptblock]$Condition, [double]$TimeoutSec = 15, [int]$EveryMs = 100)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    do {
        if (& $Condition) { return $true }
        Start-Sleep -Milliseconds $EveryMs
    } while ([DateTime]::UtcNow -lt $deadline)
    [bool](& $Condition)
}

function Get-VrrpInstanceState {
    # The lvsd instance's state through IDirector (the control socket).
    param([Parameter(Mandatory)][string]$Director, [string]$Instance = 'VI_1')
    $d = [LvsPS.Management.Lvsd.DirectorClient]::Connect($Director, [TimeSpan]::FromSeconds(5))
    ($d.ListVrrpInstances() | Where-Object Name -eq $Instance)
}

function New-VrrpSpec {
    param(
        [Parameter(Mandatory)][System.Net.IPAddress]$Vip, [int]$Priority = 150, [int]$Version = 3, [int]$AdvertCs = 100,
        [int]$Vrid = 51, [bool]$Preempt = $true, [double]$PreemptDelay = 0, [string]$Password, [System.Net.IPAddress[]]$UnicastPeer
    )
    $s = [LvsPS.Ipvs.Vrrp.VrrpInstanceSpec]::new()
    $s.Name = 'VI_1'; $s.Interface = 'eth0'; $s.VirtualRouterId = $Vrid; $s.Priority = $Priority; $s.Version = $Version
    $s.AdvertIntervalCentiseconds = $AdvertCs; $s.Preempt = $Preempt; $s.PreemptDelaySeconds = $PreemptDelay
    $s.VirtualAddresses.Add($Vip)
    if ($Password) { $s.AuthType = [LvsPS.Ipvs.Vrrp.VrrpAuthType]::Pass; $s.AuthPassword = $Password }
    foreach ($p in $UnicastPeer) { $s.UnicastPeers.Add($p) }
    $s
}

function Set-VrrpInstance {
    # Adds or replaces lvsd's instance VI_1.
    param([Parameter(Mandatory)][string]$Director, [Parameter(Mandatory)][object]$Spec)
    $d = [LvsPS.Management.Lvsd.DirectorClient]::Connect($Director, [TimeSpan]::FromSeconds(5))
    if ($d.ListVrrpInstances() | Where-Object Name -eq $Spec.Name) { $d.DeleteVrrpInstance($Spec.Name) }
    $d.AddVrrpInstance($Spec)
}

function Measure-VrrpClientSwitch {
    # Starts a poller in the client's namespace that prints the CLOCK_REALTIME (ns) when its neighbour entry for the
    # VIP first holds $Mac, at most $LimitSec; returns the process and its output file.
    param([Parameter(Mandatory)][object]$Lab, [Parameter(Mandatory)][System.Net.IPAddress]$Vip, [Parameter(Mandatory)][string]$Mac, [int]$LimitSec = 15)
    $out = Join-Path $Lab.Directory "arp-switch.$([guid]::NewGuid().ToString('n').Substring(0, 8)).out"
    $poller = Join-Path $Lab.Directory 'arp-switch.sh'
    Set-Content -Path $poller -Value @'
#!/bin/bash
# arp-switch.sh VIP MAC LIMIT_SEC: prints CLOCK_REALTIME (ns) when the neighbour entry for VIP holds MAC.
end=$(( $(date +%s%N) + $3 * 1000000000 ))
while [ "$(date +%s%N)" -lt "$end" ]; do
    ip neigh show to "$1" dev eth0 | grep -q "lladdr $2" && { date +%s%N; exit 0; }
    sleep 0.002
done
echo timeout
'@
    $p = Start-Process -FilePath ip -PassThru -RedirectStandardOutput $out -ArgumentList @('netns', 'exec', $Lab.Client.Namespace, 'bash', $poller, $Vip.ToString(), $Mac, $LimitSec)
    [pscustomobject]@{ Process = $p; Out = $out }
}

if ($MyInvocation.InvocationName -eq '.') { return }

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../LvsPS.psd1') -Force
$lab = New-LvsLab -Name $Name -RealServerCount 1 -Subnet $Subnet
$peer = $null
try {
    Start-LvsDirector -Lab $Name | Out-Null
    $vip = $lab.VirtualAddress
    $cs = [int]($AdvertInterval * 100)
    $peer = New-VrrpPeer -Lab $lab
    $directorMac = (Get-LvsDirector -Name $Name).MacAddress
    Set-VrrpInstance -Director $Name -Spec (New-VrrpSpec -Vip $vip -Priority 200 -AdvertCs $cs)
    Start-VrrpPeer $peer (Get-VrrpPeerConfig -Vip $vip -Priority 100 -AdvertInterval $AdvertInterval)
    $rows = foreach ($round in 1..$Rounds) {
        if (-not (Wait-VrrpCondition { (Get-VrrpInstanceState $Name).State -eq 'Master' -and -not (Test-VrrpPeerHoldsVip $peer $vip) } -TimeoutSec 20)) { throw "round ${round}: lvsd did not become master" }
        if (-not (Wait-VrrpCondition { (Get-VrrpClientArp $lab $vip) -eq $directorMac } -TimeoutSec 10)) { throw "round ${round}: the client does not reach lvsd's MAC" }
        $poll = Measure-VrrpClientSwitch -Lab $lab -Vip $vip -Mac $peer.Mac
        Start-Sleep -Milliseconds 300
        $lvsdPid = (Get-LvsDirector -Name $Name).ProcessId
        $killedNs = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() * 1000000
        & kill -KILL $lvsdPid
        $poll.Process.WaitForExit(20000) | Out-Null
        $text = (Get-Content -Raw $poll.Out).Trim()
        $ms = if ($text -match '^\d+$') { [math]::Round(([long]$text - $killedNs) / 1e6, 1) } else { $null }
        [pscustomobject]@{ Round = $round; AdvertInterval = $AdvertInterval; TakeoverMs = $ms }
        while (Test-Path "/proc/$lvsdPid") { Start-Sleep -Milliseconds 20 }
        Start-LvsDirector -Lab $Name | Out-Null
    }
    $rows | Format-Table | Out-Host
    $t = @($rows.TakeoverMs | Where-Object { $null -ne $_ } | Sort-Object)
    [pscustomobject]@{
        Rounds         = $Rounds
        AdvertInterval = $AdvertInterval
        MasterDownMs   = [LvsPS.Ipvs.Vrrp.VrrpRouter]::MasterDownMs(3, 100, $cs)
        Measured       = $t.Count
        MinMs          = $t[0]
        MedianMs       = $t[[int][math]::Floor($t.Count / 2)]
        P90Ms          = $t[[int][math]::Min($t.Count - 1, [math]::Ceiling($t.Count * 0.9) - 1)]
        MaxMs          = $t[-1]
    }
}
finally {
    Remove-VrrpPeer $peer
    Remove-LvsLab -Name $Name -Confirm:$false
}
