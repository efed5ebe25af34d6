#Requires -Version 7.4
<#
    The scenarios of EngineKernelDiff.Tests.ps1: one configuration and one sequence of client connections, run once
    through a kernel lab (New-LvsLab -DirectorKind Kernel: Debian's 6.1 kernel under QEMU, ipvsadm 1.31) and once
    through an engine lab (lvsd) of the same name and subnet, so that both have the same addresses and MACs.
    Invoke-EngineKernelRun returns what a run saw: the real server of every connection and the director's listings.

    Every scenario has its own VIP (10.x.y.111 ...) with a service on port 23 (the lab's telnet-like service, whose
    prompt "[guest@rsN guest]$ " names the real server and which, unlike nginx, never closes an idle session). The
    client connects with socat from a fixed source address and port (a port per connection, the same in both runs):
    a short connection reads the prompt and closes; a held one reads the prompt and stays open until the run ends,
    so that it counts as active (lc, wlc, sed, nq, ovf, lblc, lblcr, thresholds). Connections are made one after the
    other, each only once the previous one got its prompt, so that the director has seen every packet of the
    previous one (one link, in order) before the next SYN.
#>

Set-StrictMode -Version 3.0

# name -> VIP host part, scheduler, service options, real servers (added rs1, rs2, rs3: the list is newest first).
function Get-EngineKernelScenario {
    [ordered]@{
        rr    = @{ Host = 111; Scheduler = 'rr'; Weights = 1, 1, 1 }
        wrr   = @{ Host = 112; Scheduler = 'wrr'; Weights = 3, 2, 1 }
        lc    = @{ Host = 113; Scheduler = 'lc'; Weights = 1, 1, 1 }
        wlc   = @{ Host = 114; Scheduler = 'wlc'; Weights = 1, 2, 3 }
        sed   = @{ Host = 115; Scheduler = 'sed'; Weights = 1, 2, 3 }
        nq    = @{ Host = 116; Scheduler = 'nq'; Weights = 1, 2, 3 }
        fo    = @{ Host = 117; Scheduler = 'fo'; Weights = 1, 3, 2 }
        ovf   = @{ Host = 118; Scheduler = 'ovf'; Weights = 2, 1, 3 }
        sh    = @{ Host = 119; Scheduler = 'sh'; Weights = 2, 1, 1 }
        dh    = @{ Host = 120; Scheduler = 'dh'; Weights = 1, 1, 1 }
        mh    = @{ Host = 121; Scheduler = 'mh'; Weights = 1, 2, 1 }
        lblc  = @{ Host = 122; Scheduler = 'lblc'; Weights = 1, 1, 1 }
        lblcr = @{ Host = 123; Scheduler = 'lblcr'; Weights = 1, 1, 1 }
        pnet  = @{ Host = 124; Scheduler = 'rr'; Weights = 1, 1, 1; Persistent = 600; Netmask = '255.255.255.240' }
        p32   = @{ Host = 125; Scheduler = 'wlc'; Weights = 1, 1, 1; Persistent = 600 }
        thr   = @{ Host = 126; Scheduler = 'rr'; Weights = 1, 1, 1; Upper = 2, 0, 3; Lower = 1, 0, 0 }
        rm    = @{ Host = 127; Scheduler = 'rr'; Weights = 1, 1, 1 }
        fwm   = @{ Host = 128; Scheduler = 'wrr'; Weights = 2, 1, 1; Mark = 7 }
        fwmp  = @{ Host = 129; Scheduler = 'rr'; Weights = 1, 1, 1; Mark = 8; Persistent = 600; Netmask = '255.255.255.0' }
        # every port of the VIP (-t VIP:0, persistent only; real servers :0), and flag-1..3 as the kernel takes them
        p0    = @{ Host = 130; Scheduler = 'rr'; Weights = 1, 1, 1; Port = 0; Persistent = 600 }
        flg   = @{ Host = 131; Scheduler = 'wlc'; Weights = 1, 1, 1; Flags = 'Port', 'Flag3' }
        shf   = @{ Host = 132; Scheduler = 'sh'; Weights = 1, 1, 1; Flags = 'Fallback', 'Port', 'Flag3' }
        # mid-flow segments of flows the director never saw open (phase D): mh with the kernel's sloppy_tcp=1 (lvsd at
        # its default), rr with sloppy_tcp=1 on both; mhd (the same real servers and weights as mhs: the same Maglev
        # table) with sloppy_tcp=0 on both, probed after the listings: not compared, the difference that remains
        mhs   = @{ Host = 133; Scheduler = 'mh'; Weights = 1, 2, 1 }
        rrs   = @{ Host = 134; Scheduler = 'rr'; Weights = 1, 1, 1 }
        mhd   = @{ Host = 135; Scheduler = 'mh'; Weights = 1, 2, 1; NotCompared = $true }
    }
}

function Invoke-EngineKernelRun {
    <#
    .SYNOPSIS
        Builds the lab, applies every scenario, drives the client traffic, collects the listings, removes the lab.
    .OUTPUTS
        A hashtable: Served (ordered: "scenario/port" -> rsN), Listings (name -> text), Segments (VIP -> packets, bytes: the TCP
        segments the client sent to it), Seconds.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][ValidateSet('Kernel', 'Engine')][string]$Kind,
        [Parameter(Mandatory)][string]$Name,
        [Parameter(Mandatory)][string]$Network   # e.g. 10.226.0 (a /24)
    )
    $ErrorActionPreference = 'Stop'
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $scn = Get-EngineKernelScenario
    $work = "/tmp/lvsps-diff-$Name"
    Remove-LvsLab -Name $Name -Confirm:$false -ErrorAction SilentlyContinue
    $lab = New-LvsLab -Name $Name -RealServerCount 3 -Subnet "$Network.0/24" -DirectorKind $Kind
    $run = @{ Served = [ordered]@{}; Listings = [ordered]@{}; Kind = $Kind }
    $ctx = @{ Name = $Name; Network = $Network; Work = $work; Port = 20000; Served = $run.Served; Scn = $scn }
    try {
        $rs = @{}; foreach ($n in $lab.RealServers) { $rs[$n.Name] = $n.Address }
        $ctx.Rs = $rs
        # Who answered a mid-flow probe, by the Ethernet source of its RST.
        $ctx.Macs = @{ "$($lab.Director.MacAddress)".ToLowerInvariant() = 'director' }
        foreach ($n in $lab.RealServers) { $ctx.Macs["$($n.MacAddress)".ToLowerInvariant()] = $n.Name }
        $ctx.Python = (Get-Command python3 -CommandType Application | Select-Object -First 1).Source
        if ($Kind -eq 'Engine') { Start-LvsDirector -Lab $Name | Out-Null }
        Set-LvsRealServerHidden -Lab $Name -Confirm:$false | Out-Null
        $vips = @($scn.Values | ForEach-Object { "$Network.$($_.Host)" })
        # The real servers accept every VIP (DR: the packet keeps its destination), hidden from ARP as the lab's VIP is.
        $lo = ($vips | ForEach-Object { "ip addr add $_/32 dev lo" }) -join '; '
        foreach ($n in $rs.Keys) { Invoke-LvsLabCommand -Lab $Name -Node $n -Command $lo | Out-Null }
        # Client source addresses .201 .. .216 besides .200 (sh, mh, persistence masks).
        $cl = (201..216 | ForEach-Object { "ip addr add $Network.$_/24 dev eth0" }) -join '; '
        Invoke-LvsLabCommand -Lab $Name -Node client -Command "mkdir -p $work; $cl" | Out-Null
        if ($Kind -eq 'Kernel') {
            # The kernel takes only packets to a local address into IPVS; the marks come from netfilter (nft).
            $cmd = @($vips | ForEach-Object { "ip addr add $_/32 dev eth0" })
            $cmd += 'nft add table ip lvsdiff'
            $cmd += "nft add chain ip lvsdiff pre '{ type filter hook prerouting priority mangle; }'"
            foreach ($s in $scn.Values) {
                if ($s.ContainsKey('Mark')) { $cmd += "nft add rule ip lvsdiff pre ip daddr $Network.$($s.Host) tcp dport 23 meta mark set $($s.Mark)" }
            }
            Invoke-LvsLabCommand -Lab $Name -Node director -Command ($cmd -join ' && ') | Out-Null
        } else {
            foreach ($s in $scn.Values) {
                if ($s.ContainsKey('Mark')) { New-LvsFirewallMarkRule -Director $Name -Mark $s.Mark -Address "$Network.$($s.Host)" -Protocol Tcp -PortFrom 23 | Out-Null }
            }
        }
        # Timeouts first, so every entry gets them; FIN_WAIT (where a closed DR connection stays) outlives the run.
        Set-LvsTimeout -Director $Name -Tcp 1000 -TcpFin 600 -Udp 250
        foreach ($key in $scn.Keys) {
            $s = $scn[$key]
            $svc = Get-DiffServiceArgs $ctx $key
            $new = @{ Scheduler = $s.Scheduler }
            if ($s.ContainsKey('Persistent')) { $new.Persistent = $s.Persistent }
            if ($s.ContainsKey('Netmask')) { $new.PersistenceNetmask = $s.Netmask }
            if ($s.ContainsKey('Flags')) { $new.SchedulerFlags = [LvsPS.Ipvs.Model.LvsSchedulerFlags]($s.Flags -join ',') }
            New-LvsService @svc @new | Out-Null
            for ($i = 0; $i -lt 3; $i++) {
                $add = @{ RealAddress = $rs["rs$($i + 1)"]; Weight = $s.Weights[$i] }
                if ($s.ContainsKey('Upper') -and $s.Upper[$i]) { $add.UpperThreshold = $s.Upper[$i] }
                if ($s.ContainsKey('Lower') -and $s.Lower[$i]) { $add.LowerThreshold = $s.Lower[$i] }
                Add-LvsRealServer @svc @add
            }
        }

        Start-DiffSegmentCount $ctx
        # Phase A: short connections.
        $src = 200..215
        Send-DiffTraffic $ctx @(
            (Req rr (,200 * 6))
            (Req wrr (,200 * 12))
            (Req sh $src), (Req sh 200, 201, 202, 203)
            (Req mh $src), (Req mh 200, 201, 202, 203)
            (Req dh 200, 205, 210, 215)
            (Req pnet 200, 201, 209, 210, 202, 216, 200, 209)
            (Req p32 200, 200, 200, 201, 201, 201, 202, 202)
            (Req rm (,200 * 6))
            (Req fwm (,200 * 8))
            (Req fwmp 200, 201, 210, 200)
            (Req fo (,200 * 4))
            (Req p0 200, 201, 200, 202)
            (Req flg (,200 * 3))
            (Req shf $src))

        # Changes in the middle of the run: weights, a quiesced server (weight 0), a removed one.
        Set-DiffRealServer $ctx wrr rs1 @{ Weight = 1 }
        Set-DiffRealServer $ctx wrr rs3 @{ Weight = 4 }
        Set-DiffRealServer $ctx fo rs2 @{ Weight = 0 }
        Set-DiffRealServer $ctx p32 rs1 @{ Weight = 0 }
        Set-DiffRealServer $ctx p32 rs2 @{ Weight = 0 }
        Set-DiffRealServer $ctx rr rs3 @{ Weight = 0 }
        Set-DiffRealServer $ctx fwm rs1 @{ Weight = 0 }
        Set-DiffRealServer $ctx sh rs2 @{ Weight = 0 }
        Set-DiffRealServer $ctx rm rs2 $null
        Set-DiffRealServer $ctx pnet rs1 $null
        Set-DiffRealServer $ctx shf rs1 @{ Weight = 0 }

        # Phase B: the same clients after the changes.
        Send-DiffTraffic $ctx @(
            (Req rr (,200 * 4))
            (Req wrr (,200 * 10))
            (Req sh $src)
            (Req pnet 200, 201, 209, 210, 202, 216)
            (Req p32 200, 201, 202, 203, 204)
            (Req rm (,200 * 4))
            (Req fwm (,200 * 6))
            (Req fwmp 200, 211)
            (Req fo (,200 * 3))
            (Req p0 201, 202, 203)
            (Req shf $src))

        # Phase C: held (H) and short (S) connections mixed, for the schedulers that count active connections.
        $pattern = 'H', 'H', 'S', 'S', 'H', 'S', 'H', 'H', 'S', 'S', 'H', 'S', 'H'
        foreach ($key in 'lc', 'wlc', 'sed', 'nq', 'ovf', 'lblc', 'lblcr', 'thr') {
            Send-DiffTraffic $ctx @(Req $key (,200 * $pattern.Count) -Hold $pattern)
        }
        Set-DiffRealServer $ctx wlc rs3 @{ Weight = 1 }
        Set-DiffRealServer $ctx thr rs1 @{ UpperThreshold = 5; LowerThreshold = 1 }
        Set-DiffRealServer $ctx lc rs1 @{ Weight = 0 }
        foreach ($key in 'lc', 'wlc', 'thr', 'ovf') {
            Send-DiffTraffic $ctx @(Req $key (,200 * 5) -Hold 'H', 'S', 'H', 'S', 'H')
        }

        # Phase D: a PSH/ACK in the middle of a flow neither director saw open (a new master without sync). On mh
        # with the kernel's sloppy_tcp=1 (Set-LvsDefense: the sysctl over SSH) and lvsd at its default (mh schedules
        # it anyway); then on rr with sloppy_tcp=1 on both.
        if ($Kind -eq 'Kernel') { Set-LvsDefense -Director $Name -SloppyTcp -Confirm:$false }
        $run.MidFlowMh = Send-DiffMidFlow $ctx mhs $src
        if ($Kind -eq 'Engine') { Set-LvsDefense -Director $Name -SloppyTcp -Confirm:$false }
        Send-DiffMidFlow $ctx rrs (,200 * 6) | Out-Null
        $run.SloppyTcp = (Get-LvsDefense -Director $Name).SloppyTcp

        # The kernel sums its per-CPU counters into the listed ones in its estimator, every 2 s (ip_vs_est.c).
        Start-Sleep -Seconds 3
        $run.Listings = Get-DiffListing $ctx $Kind
        # What the client sent to each VIP in this run, counted on its own interface (what InPkts and InBytes must add up to).
        $run.Segments = Stop-DiffSegmentCount $ctx
        # The kernel's table once more through the cmdlets (KernelDirector parses ipvsadm, the formatter prints it).
        if ($Kind -eq 'Kernel') { $run.CmdletListings = Get-DiffListing $ctx Engine }

        # After the listings, what remains different: with sloppy_tcp=0 on both, a mid-flow segment on mh.
        Set-LvsDefense -Director $Name -SloppyTcp:$false -Confirm:$false
        $run.MidFlowDefault = Send-DiffMidFlow $ctx mhd 200, 203, 206, 209, 212, 215 -NoRecord
    } finally {
        # The held sessions: each a process group of its own (setsid), ended by its id; then the lab.
        Invoke-LvsLabCommand -Lab $Name -Node client -Command "if [ -f $work/segs.pid ]; then kill `$(cat $work/segs.pid) 2>/dev/null; fi; if [ -f $work/pids ]; then for p in `$(cat $work/pids); do kill -- -`$p 2>/dev/null; done; fi; rm -rf $work" -ErrorAction SilentlyContinue | Out-Null
        Remove-LvsLab -Name $Name -Confirm:$false -ErrorAction SilentlyContinue
    }
    $run.Seconds = [math]::Round($watch.Elapsed.TotalSeconds, 1)
    $run
}

function Get-DiffServiceArgs([hashtable]$Ctx, [string]$Key) {
    # The splat naming a scenario's service on either director: VIP:23, or its firewall mark.
    $s = $Ctx.Scn[$Key]
    if ($s.ContainsKey('Mark')) { return @{ Director = $Ctx.Name; FirewallMark = $s.Mark } }
    @{ Director = $Ctx.Name; VirtualAddress = "$($Ctx.Network).$($s.Host)"; Port = ($s.ContainsKey('Port') ? $s.Port : 23) }
}

function Set-DiffRealServer([hashtable]$Ctx, [string]$Key, [string]$Node, [hashtable]$Change) {
    # Set-LvsRealServer with the changes on one scenario's real server, or with $null Remove-LvsRealServer.
    $svc = Get-DiffServiceArgs $Ctx $Key
    if ($null -eq $Change) { Remove-LvsRealServer @svc -RealAddress $Ctx.Rs[$Node] -Confirm:$false; return }
    Set-LvsRealServer @svc -RealAddress $Ctx.Rs[$Node] @Change
}

function Req([string]$Key, [int[]]$From, [string[]]$Hold) {
    # Connections of one scenario, from client addresses .<From>; -Hold gives H (held) or S (short) for each.
    for ($i = 0; $i -lt $From.Count; $i++) {
        [pscustomobject]@{ Key = $Key; From = $From[$i]; Hold = ($Hold -and $Hold[$i] -eq 'H') }
    }
}

function Send-DiffTraffic([hashtable]$Ctx, [object[]]$Requests) {
    # One bash in the client's namespace makes the connections in order; each prints "<port> <prompt>".
    $net = $Ctx.Network; $w = $Ctx.Work
    $lines = @('set -u')
    $keys = @{}
    foreach ($r in @($Requests | ForEach-Object { $_ })) {
        $port = $Ctx.Port++
        $keys[$port] = $r.Key
        $s = $Ctx.Scn[$r.Key]
        $tcp = "TCP:$net.$($s.Host):23,bind=$net.$($r.From):$port"
        if ($r.Hold) {
            $lines += "setsid socat -t 1 $tcp SYSTEM:'head -c 19 >$w/$port; exec sleep 300' </dev/null >/dev/null 2>&1 & echo `$! >>$w/pids"
            $lines += "for t in `$(seq 50); do [ `$(stat -c %s $w/$port 2>/dev/null || echo 0) -ge 19 ] && break; sleep 0.1; done; echo `"$port `$(cat $w/$port)`""
        } else {
            $lines += "echo `"$port `$(socat -t 3 -T 5 $tcp SYSTEM:'head -c 19 >&2' 2>&1)`""
        }
    }
    $out = Invoke-LvsLabCommand -Lab $Ctx.Name -Node client -Command ($lines -join "`n") -TimeoutSec 300
    foreach ($l in @($out)) {
        if ($l -notmatch '^(\d+) ?(.*)$') { continue }
        $port = [int]$Matches[1]
        $srv = if ($Matches[2] -match 'guest@(rs\d)') { $Matches[1] } else { "none:[$($Matches[2])]" }
        $Ctx.Served["$($keys[$port])/$port"] = $srv
    }
}

function Send-DiffMidFlow([hashtable]$Ctx, [string]$Key, [int[]]$From, [switch]$NoRecord) {
    # One mid-flow PSH/ACK from each client address .<From>, each from a port of its own (tcp-midflow-probe.py in the
    # client's namespace); who got it is who reset it (a real server, or the director's own stack). Recorded in
    # Served as "key/port" unless -NoRecord; returned as ordered "client address host part" -> who.
    $s = $Ctx.Scn[$Key]; $net = $Ctx.Network
    $flows = @(); $byPort = @{}
    foreach ($f in $From) { $port = $Ctx.Port++; $flows += '{0}.{1}:{2}' -f $net, $f, $port; $byPort[$port] = $f }
    $probe = Join-Path $PSScriptRoot 'tcp-midflow-probe.py'
    $out = Invoke-LvsLabCommand -Lab $Ctx.Name -Node client -TimeoutSec 300 -Command "'$($Ctx.Python)' '$probe' --vip $net.$($s.Host) --dport 23 $($flows -join ' ')"
    $result = [ordered]@{}
    foreach ($l in @($out)) {
        if ($l -notmatch '^(\d+) (\S+)$') { continue }
        $port = [int]$Matches[1]
        $who = $Ctx.Macs[$Matches[2]] ?? "none:[$($Matches[2])]"
        $result["$($byPort[$port])"] = $who
        if (-not $NoRecord) { $Ctx.Served["$Key/$port"] = $who }
    }
    $result
}

function Start-DiffSegmentCount([hashtable]$Ctx) {
    # tcp-segment-count.py in the client's namespace, in the background until Stop-DiffSegmentCount: every TCP segment
    # the client sends to a scenario's VIP, counted as it leaves the client's eth0.
    $w = $Ctx.Work
    $script = Join-Path $PSScriptRoot 'tcp-segment-count.py'
    $vips = ($Ctx.Scn.Values | ForEach-Object { "--vip $($Ctx.Network).$($_.Host)" }) -join ' '
    Invoke-LvsLabCommand -Lab $Ctx.Name -Node client -Command "rm -f $w/segs.ready; setsid '$($Ctx.Python)' '$script' --ready $w/segs.ready $vips >$w/segs.out 2>&1 </dev/null & echo `$! >$w/segs.pid; for t in `$(seq 100); do [ -f $w/segs.ready ] && break; sleep 0.05; done; [ -f $w/segs.ready ]" | Out-Null
}

function Stop-DiffSegmentCount([hashtable]$Ctx) {
    # Ends the counter (SIGTERM: it prints its counts and exits) and returns VIP -> @(packets, bytes).
    $w = $Ctx.Work
    $out = Invoke-LvsLabCommand -Lab $Ctx.Name -Node client -Command "p=`$(cat $w/segs.pid); kill -TERM `$p; for t in `$(seq 100); do kill -0 `$p 2>/dev/null || break; sleep 0.05; done; cat $w/segs.out"
    $h = @{}
    foreach ($l in @($out)) { if ($l -match '^(\S+) (\d+) (\d+)$') { $h[$Matches[1]] = @([long]$Matches[2], [long]$Matches[3]) } }
    $h
}

function Get-DiffListing([hashtable]$Ctx, [string]$Kind) {
    # The listings as ipvsadm prints them: with Kernel by ipvsadm in the guest; with Engine by the cmdlets' -AsText
    # and Export-LvsConfiguration -Format IpvsadmRules (ipvsadm -S -n), on whichever director the lab registered.
    $d = $Ctx.Name
    $names = 'list', 'stats', 'statsExact', 'thresholds', 'persistentConn', 'save', 'timeout', 'connections'
    if ($Kind -eq 'Kernel') {
        $cmds = 'ipvsadm -L -n', 'ipvsadm -L -n --stats', 'ipvsadm -L -n --stats --exact', 'ipvsadm -L -n --thresholds',
            'ipvsadm -L -n --persistent-conn', 'ipvsadm -S -n', 'ipvsadm -L --timeout', 'ipvsadm -L -n -c'
        $text = (Invoke-LvsLabCommand -Lab $d -Node director -Command (($cmds | ForEach-Object { "$_; echo '@@@'" }) -join '; ')) -join "`n"
        $parts = $text -split "(?m)^@@@\n?"
        $h = [ordered]@{}
        for ($i = 0; $i -lt $names.Count; $i++) { $h[$names[$i]] = $parts[$i] }
        return $h
    }
    [ordered]@{
        list           = Get-LvsService -Director $d -AsText
        stats          = Get-LvsService -Director $d -AsText -Stats
        statsExact     = Get-LvsService -Director $d -AsText -Stats -Exact
        thresholds     = Get-LvsService -Director $d -AsText -Thresholds
        persistentConn = Get-LvsService -Director $d -AsText -PersistentConn
        save           = (Export-LvsConfiguration -Director $d -Format IpvsadmRules) -join "`n"
        timeout        = Get-LvsTimeout -Director $d -AsText
        connections    = Get-LvsConnection -Director $d -AsText
    }
}
