#Requires -Version 7.4
# The kernel backend (KernelDirector: ipvsadm over SSH) proven against a real Linux 6.1 IPVS and ipvsadm 1.31:
# one kernel lab (New-LvsLab -DirectorKind Kernel, a QEMU guest on hosts without ip_vs) for the whole file. Every
# table cmdlet is run against it, every listing the cmdlets read is the real ipvsadm's output, and the values are
# compared with what was configured, with what `ipvsadm` itself prints in the guest, and with what real HTTP
# requests from the lab's client did. Kernel refusals are provoked for real and their texts mapped to the engine's
# ErrorIds. The exports are loaded back by the real ipvsadm -R and by the real keepalived.

BeforeAll {
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'LvsPS.TestHelpers.psm1') -Force
    Import-LvsTestModule
    if (-not [LvsPS.Management.Lab.LabManager]::HostHasIpvs() -and -not (Get-Command qemu-system-x86_64 -ErrorAction SilentlyContinue)) {
        throw 'KernelBackend.Tests needs a kernel with IPVS: this host has no ip_vs and no qemu-system-x86_64 for the kernel guest (./build.sh setup installs the qemu-system-x86 package).'
    }
    $script:L = 'kb' + -join ((97..122) | Get-Random -Count 4 | ForEach-Object { [char]$_ })
    $script:Net = '10.221.0'
    $script:Vip = "$Net.101"; $script:Rs1 = "$Net.3"; $script:Rs2 = "$Net.4"
    $script:Lab = New-LvsLab -Name $L -RealServerCount 2 -Subnet "$Net.0/24" -DirectorKind Kernel
    Set-LvsRealServerHidden -Lab $L -Confirm:$false

    # Guest commands over one SSH session of our own (a new ssh login to a TCG guest costs seconds), logged in as
    # the kernel director is.
    $script:Ssh = [LvsPS.Management.Remote.SshSession]::Open([LvsPS.Management.Lab.LabManager]::KernelDirectorTarget($Lab))
    # A shell command in the guest: its standard output (with 2>&1 inside, its errors too); the exit status is not checked.
    function script:InGuest([string]$Command) { $Ssh.Run($Command).Output.TrimEnd("`n") }
    # ipvsadm in the guest: exit status, stdout and stderr, exactly what the kernel director gets back.
    function script:RawIpvsadm([string]$Arguments) { $Ssh.Run("ipvsadm $Arguments") }
    # Real servers for New-LvsService -RealServer: objects with a RealAddress.
    function script:Rs { $args | ForEach-Object { [pscustomobject]@{ RealAddress = $_ } } }
    # The kernel (6.1) sums its per-CPU counters into what it lists only in the estimator's 2-second timer: wait until
    # the service shows Count connections, then one more tick, so that every packet of them is counted.
    function script:WaitCounted([int]$Count, [hashtable]$Service) {
        $deadline = [DateTime]::UtcNow.AddSeconds(8)
        do { Start-Sleep -Milliseconds 500; $n = (Get-LvsService -Director $L @Service).Statistics.Connections } until ($n -ge $Count -or [DateTime]::UtcNow -gt $deadline)
        $n | Should -Be $Count -Because 'the estimator shows the connections within a few seconds'
        Start-Sleep -Milliseconds 2100
    }
    function script:Saved { (InGuest 'ipvsadm -S -n') -split "`n" | Where-Object { $_ } }
    function script:Fetch([int]$Count, [int]$Port = 80) {
        1..$Count | ForEach-Object { ConvertTo-ServerNameOf ((Invoke-LvsLabCommand -Lab $L -Node client -Command "curl -s -m 5 http://$($Vip):$Port/test.html || true") -join '') }
    }
    function script:ConvertTo-ServerNameOf([string]$Page) { if ($Page -match 'real server #(\d+)') { "rs$($Matches[1])" } else { "none:[$Page]" } }
    # One line of `ipvsadm -L -n --stats --exact` / `--rate --exact` for a service or real server, as numbers.
    function script:Numbers([string]$Listing, [string]$Key) {
        $line = ($Listing -split "`n") | Where-Object { $_ -match ('^\s*(-> |TCP\s+|UDP\s+|FWM\s+)?' + [regex]::Escape($Key) + '\s') } | Select-Object -First 1
        if (-not $line) { throw "no line for $Key in:`n$Listing" }
        [ulong[]](($line.Trim() -split '\s+') | Select-Object -Last 5)
    }
}

AfterAll {
    if ($script:Ssh) { $script:Ssh.Dispose() }
    if ($script:L) { Remove-LvsLab -Name $script:L -Confirm:$false -ErrorAction SilentlyContinue }
}

Describe 'Kernel backend against a real kernel IPVS (Linux 6.1, ipvsadm 1.31)' {
    BeforeEach { InGuest 'ipvsadm -C; nft delete table ip lvsps_test 2>/dev/null' | Out-Null }

    It 'Get-LvsDirector describes the kernel director as the guest reports it' {
        $d = Get-LvsDirector -Name $L
        $d.Backend | Should -Be 'KernelIpvs'
        $d.Connected | Should -BeTrue
        $version = (Invoke-LvsLabCommand -Lab $L -Node director -Command 'ipvsadm --version') -join "`n"
        $version | Should -Match 'v1\.31'
        $d.IpvsadmVersion | Should -Be $version.Trim()
        $d.IpvsVersion | Should -Be '1.2.1'
        $d.TableSize | Should -Be 4096
        New-LvsService -Director $L -VirtualAddress $Vip -Port 80 -Scheduler rr -RealServer (Rs $Rs1 $Rs2) | Out-Null
        $d = Get-LvsDirector -Name $L
        $d.ServiceCount | Should -Be 1
        $d.RealServerCount | Should -Be 2
        $d.VirtualAddresses | ForEach-Object ToString | Should -Be @($Vip)
    }

    It 'New-LvsService: TCP, UDP, fwmark, persistence with netmask and scheduler flags, as ipvsadm -S saves them' {
        New-LvsService -Director $L -VirtualAddress $Vip -Port 80 -Scheduler wrr | Out-Null
        New-LvsService -Director $L -Protocol Udp -VirtualAddress $Vip -Port 53 -Scheduler lc | Out-Null
        New-LvsService -Director $L -FirewallMark 7 -Scheduler rr | Out-Null
        New-LvsService -Director $L -VirtualAddress $Vip -Port 443 -Scheduler sh -SchedulerFlags Fallback, Port -Persistent 600 -PersistenceNetmask 255.255.255.0 | Out-Null
        New-LvsService -Director $L -VirtualAddress $Vip -Port 8080 -Scheduler mh -SchedulerFlags Fallback | Out-Null
        $saved = Saved
        $saved | Should -Contain "-A -t $($Vip):80 -s wrr"
        $saved | Should -Contain "-A -u $($Vip):53 -s lc"
        $saved | Should -Contain '-A -f 7 -s rr'
        $saved | Should -Contain "-A -t $($Vip):443 -s sh -p 600 -M 255.255.255.0 -b sh-fallback,sh-port"
        $saved | Should -Contain "-A -t $($Vip):8080 -s mh -b mh-fallback"
        $s = Get-LvsService -Director $L
        $s.Count | Should -Be 5
        $https = $s | Where-Object Port -eq 443
        $https.Scheduler | Should -Be 'Sh'
        $https.SchedulerFlags | Should -Be ([LvsPS.Ipvs.Model.LvsSchedulerFlags]'Fallback, Port')
        $https.PersistentTimeout | Should -Be 600
        $https.PersistenceNetmask.ToString() | Should -Be '255.255.255.0'
        ($s | Where-Object Port -eq 53).Protocol | Should -Be 'Udp'
        ($s | Where-Object FirewallMark -eq 7).Scheduler | Should -Be 'Rr'
        (Get-LvsService -Director $L -FirewallMark 7).FirewallMark | Should -Be 7
        ($s | Where-Object Port -eq 8080).SchedulerFlags | Should -Be 'Fallback'
    }

    It 'Get-LvsService -AsText is the real ipvsadm -L -n (and --stats/--rate/--thresholds/--persistent-conn --exact)' {
        New-LvsService -Director $L -VirtualAddress $Vip -Port 80 -Scheduler wlc -Persistent 300 | Out-Null
        Add-LvsRealServer -Director $L -VirtualAddress $Vip -Port 80 -RealAddress $Rs1 -Weight 5 -UpperThreshold 50 -LowerThreshold 5
        Add-LvsRealServer -Director $L -VirtualAddress $Vip -Port 80 -RealAddress $Rs2 -Forwarding Tunnel
        New-LvsService -Director $L -FirewallMark 9 -Scheduler rr -RealServer (Rs $Rs2) | Out-Null
        ((Get-LvsService -Director $L -AsText) -join "`n").TrimEnd() | Should -Be (InGuest 'ipvsadm -L -n').TrimEnd()
        foreach ($v in 'Stats', 'Rate', 'Thresholds', 'PersistentConn') {
            $flag = @{ Stats = '--stats'; Rate = '--rate'; Thresholds = '--thresholds'; PersistentConn = '--persistent-conn' }[$v]
            $p = @{ $v = $true; Exact = $true }
            ((Get-LvsService -Director $L -AsText @p) -join "`n").TrimEnd() | Should -Be (InGuest "ipvsadm -L -n $flag --exact").TrimEnd() -Because $flag
        }
    }

    It 'Add-LvsRealServer: weights, Route/Tunnel/Masq (with a real port) and thresholds, read back from the kernel' {
        New-LvsService -Director $L -VirtualAddress $Vip -Port 80 -Scheduler wrr | Out-Null
        Add-LvsRealServer -Director $L -VirtualAddress $Vip -Port 80 -RealAddress $Rs1 -Weight 3 -UpperThreshold 100 -LowerThreshold 10
        Add-LvsRealServer -Director $L -VirtualAddress $Vip -Port 80 -RealAddress $Rs2 -Forwarding Tunnel -Weight 0
        New-LvsService -Director $L -VirtualAddress $Vip -Port 8080 -Scheduler rr | Out-Null
        Add-LvsRealServer -Director $L -VirtualAddress $Vip -Port 8080 -RealAddress $Rs1 -RealPort 80 -Forwarding Masq -Weight 65535
        $saved = Saved
        $saved | Should -Contain "-a -t $($Vip):80 -r $($Rs1):80 -g -w 3"   # ipvsadm -S never saves -x/-y
        InGuest 'ipvsadm -L -n --thresholds' | Should -Match ([regex]::Escape("-> $($Rs1):80") + '\s+100\s+10\s')
        $saved | Should -Contain "-a -t $($Vip):80 -r $($Rs2):80 -i -w 0 --tun-type ipip"
        $saved | Should -Contain "-a -t $($Vip):8080 -r $($Rs1):80 -m -w 65535"
        $r = Get-LvsRealServer -Director $L -VirtualAddress $Vip -Port 80
        $one = $r | Where-Object { $_.RealAddress.ToString() -eq $Rs1 }
        $two = $r | Where-Object { $_.RealAddress.ToString() -eq $Rs2 }
        $one.Forwarding | Should -Be 'Route'; $one.Weight | Should -Be 3; $one.RealPort | Should -Be 80
        $one.UpperThreshold | Should -Be 100; $one.LowerThreshold | Should -Be 10
        $two.Forwarding | Should -Be 'Tunnel'; $two.Weight | Should -Be 0; $two.UpperThreshold | Should -Be 0
        $m = Get-LvsRealServer -Director $L -VirtualAddress $Vip -Port 8080
        $m.Forwarding | Should -Be 'Masq'; $m.RealPort | Should -Be 80; $m.Weight | Should -Be 65535
    }

    It 'Set-LvsService and Set-LvsRealServer edit in place; Remove-* delete; the kernel shows each step' {
        New-LvsService -Director $L -VirtualAddress $Vip -Port 80 -Scheduler rr -RealServer (Rs $Rs1 $Rs2) | Out-Null
        Set-LvsService -Director $L -VirtualAddress $Vip -Port 80 -Scheduler lc -Persistent 30
        Saved | Should -Contain "-A -t $($Vip):80 -s lc -p 30"
        Set-LvsService -Director $L -VirtualAddress $Vip -Port 80 -Scheduler sh -SchedulerFlags Port
        $svc = Get-LvsService -Director $L -VirtualAddress $Vip -Port 80
        $svc.Scheduler | Should -Be 'Sh'; $svc.SchedulerFlags | Should -Be 'Port'; $svc.PersistentTimeout | Should -Be 30
        Set-LvsRealServer -Director $L -VirtualAddress $Vip -Port 80 -RealAddress $Rs1 -Weight 7 -UpperThreshold 20 -LowerThreshold 2
        Saved | Should -Contain "-a -t $($Vip):80 -r $($Rs1):80 -g -w 7"
        InGuest 'ipvsadm -L -n --thresholds' | Should -Match ([regex]::Escape("-> $($Rs1):80") + '\s+20\s+2\s')
        Set-LvsRealServer -Director $L -VirtualAddress $Vip -Port 80 -RealAddress $Rs1 -UpperThreshold 0 -LowerThreshold 0
        $one = Get-LvsRealServer -Director $L -VirtualAddress $Vip -Port 80 -RealAddress $Rs1
        $one.Weight | Should -Be 7; $one.UpperThreshold | Should -Be 0
        Remove-LvsRealServer -Director $L -VirtualAddress $Vip -Port 80 -RealAddress $Rs1 -Confirm:$false
        (Saved | Where-Object { $_ -clike '-a *' }) | Should -Be @("-a -t $($Vip):80 -r $($Rs2):80 -g -w 1")
        Remove-LvsService -Director $L -VirtualAddress $Vip -Port 80 -Confirm:$false
        Saved | Should -BeNullOrEmpty
        Get-LvsService -Director $L | Should -BeNullOrEmpty
    }

    It 'DR traffic: the kernel spreads real HTTP requests, and the counters, rates and connections read back match ipvsadm' {
        New-LvsService -Director $L -VirtualAddress $Vip -Port 80 -Scheduler rr -RealServer (Rs $Rs1 $Rs2) | Out-Null
        $servers = Fetch 6
        ($servers | Sort-Object) | Should -Be @('rs1', 'rs1', 'rs1', 'rs2', 'rs2', 'rs2')
        for ($i = 1; $i -lt 6; $i++) { $servers[$i] | Should -Not -Be $servers[$i - 1] }
        WaitCounted 6 @{ VirtualAddress = $Vip; Port = 80 }

        $svc = Get-LvsService -Director $L -VirtualAddress $Vip -Port 80
        $stats = InGuest 'ipvsadm -L -n --stats --exact'
        $svc.Statistics.Connections | Should -Be 6
        $svc.Statistics.InPackets | Should -BeGreaterThan 12
        $svc.Statistics.OutPackets | Should -Be 0 -Because 'with LVS-DR the replies do not pass the director'
        [ulong[]]@($svc.Statistics.Connections, $svc.Statistics.InPackets, $svc.Statistics.OutPackets, $svc.Statistics.InBytes, $svc.Statistics.OutBytes) |
            Should -Be (Numbers $stats "$($Vip):80")
        foreach ($rs in $svc.RealServers) {
            $rs.Statistics.Connections | Should -Be 3
            $rs.Statistics.InPackets | Should -Be (Numbers $stats "$($rs.RealAddress):80")[1]
            ($rs.ActiveConnections + $rs.InactiveConnections) | Should -Be 3
        }

        # The estimator runs every 2 s: within a few seconds the rates of the last requests show.
        $deadline = [DateTime]::UtcNow.AddSeconds(8)
        do { Start-Sleep -Milliseconds 700; $rate = (Get-LvsService -Director $L -VirtualAddress $Vip -Port 80).Statistics } until ($rate.InPacketsPerSecond -gt 0 -or [DateTime]::UtcNow -gt $deadline)
        $rate.InPacketsPerSecond | Should -BeGreaterThan 0
        $rate.InBytesPerSecond | Should -BeGreaterThan 0
        $rate.OutPacketsPerSecond | Should -Be 0
        # Read together (the same 2 s estimate, retried at a boundary): the object's rates are ipvsadm --rate's.
        $same = $false
        for ($try = 0; $try -lt 3 -and -not $same; $try++) {
            $before = InGuest 'ipvsadm -L -n --rate --exact'
            $o = (Get-LvsService -Director $L -VirtualAddress $Vip -Port 80).Statistics
            $after = InGuest 'ipvsadm -L -n --rate --exact'
            $want = Numbers $before "$($Vip):80"
            $same = ($before -eq $after) -and ((@($o.ConnectionsPerSecond, $o.InPacketsPerSecond, $o.OutPacketsPerSecond, $o.InBytesPerSecond, $o.OutBytesPerSecond) -join ' ') -eq ($want -join ' '))
        }
        $same | Should -BeTrue -Because "the rates read must be ipvsadm --rate's:`n$before"

        $c = Get-LvsConnection -Director $L
        $c.Count | Should -Be 6
        $c.Count | Should -Be ((InGuest 'ipvsadm -L -n -c') -split "`n" | Where-Object { $_ -match '^TCP ' }).Count
        $c | ForEach-Object { $_.ClientAddress.ToString() } | Select-Object -Unique | Should -Be "$Net.200"
        $c | ForEach-Object { $_.VirtualAddress.ToString() } | Select-Object -Unique | Should -Be $Vip
        ($c | Where-Object { $_.RealAddress.ToString() -eq $Rs1 }).Count | Should -Be 3
        (Get-LvsConnection -Director $L -RealAddress $Rs1).Count | Should -Be 3
        (Get-LvsConnection -Director $L -ClientAddress "$Net.200" -Port 80).Count | Should -Be 6
        (Get-LvsConnection -Director $L -ClientAddress "$Net.250") | Should -BeNullOrEmpty
        (Get-LvsConnection -Director $L -First 2).Count | Should -Be 2
        (Get-LvsConnection -Director $L -Protocol Udp) | Should -BeNullOrEmpty
        $states = $c.State | Select-Object -Unique
        $states | Should -BeIn @('FinWait', 'TimeWait', 'Close', 'CloseWait', 'LastAck', 'Established')
        (Get-LvsConnection -Director $L -State $c[0].State).Count | Should -BeGreaterThan 0
        # -AsText is formatted from the objects: the real listing's lines, but for the seconds that passed meanwhile.
        $asText = ((Get-LvsConnection -Director $L -AsText) -join "`n") -split "`n" | Where-Object { $_ }
        $real = (InGuest 'ipvsadm -L -n -c') -split "`n"
        ($asText -replace '\d\d:\d\d', 'MM:SS' | Sort-Object) -join "`n" | Should -Be (($real -replace '\d\d:\d\d', 'MM:SS' | Sort-Object) -join "`n")

        Clear-LvsCounter -Director $L -Confirm:$false
        $z = Get-LvsService -Director $L -VirtualAddress $Vip -Port 80
        $z.Statistics.Connections | Should -Be 0
        $z.Statistics.InPackets | Should -Be 0
        $z.RealServers.Statistics.Connections | Should -Be @(0, 0)
        Numbers (InGuest 'ipvsadm -L -n --stats --exact') "$($Vip):80" | Should -Be @(0, 0, 0, 0, 0)
    }

    It 'Suspend-/Resume-LvsRealServer drain a real server with weight 0 in the kernel and give its weight back' {
        New-LvsService -Director $L -VirtualAddress $Vip -Port 80 -Scheduler wrr | Out-Null
        Add-LvsRealServer -Director $L -VirtualAddress $Vip -Port 80 -RealAddress $Rs1 -Weight 4
        Add-LvsRealServer -Director $L -VirtualAddress $Vip -Port 80 -RealAddress $Rs2
        Suspend-LvsRealServer -Director $L -VirtualAddress $Vip -Port 80 -RealAddress $Rs1 -Confirm:$false
        Saved | Should -Contain "-a -t $($Vip):80 -r $($Rs1):80 -g -w 0"
        (Get-LvsRealServer -Director $L -VirtualAddress $Vip -Port 80 -RealAddress $Rs1).Suspended | Should -BeTrue
        Fetch 3 | Should -Be @('rs2', 'rs2', 'rs2')
        Resume-LvsRealServer -Director $L -VirtualAddress $Vip -Port 80 -RealAddress $Rs1 -Confirm:$false
        Saved | Should -Contain "-a -t $($Vip):80 -r $($Rs1):80 -g -w 4"
    }

    It 'Persistence: every request of one client goes to the same real server, and the template is counted' {
        New-LvsService -Director $L -VirtualAddress $Vip -Port 80 -Scheduler rr -Persistent 120 -RealServer (Rs $Rs1 $Rs2) | Out-Null
        # The kernel gives a deleted real server back from its trash, counters and all, while connections still use
        # it: the earlier tests' requests would be counted here too. Its per-CPU counters are summed into what -Z
        # zeroes only at the estimator's next 2-second tick, so zero after that tick.
        Start-Sleep -Milliseconds 2100
        Clear-LvsCounter -Director $L -Confirm:$false
        $servers = Fetch 4
        WaitCounted 4 @{ VirtualAddress = $Vip; Port = 80 }
        ($servers | Select-Object -Unique).Count | Should -Be 1
        $servers[0] | Should -BeLike 'rs*'
        $chosen = if ($servers[0] -eq 'rs1') { $Rs1 } else { $Rs2 }
        $rs = Get-LvsRealServer -Director $L -VirtualAddress $Vip -Port 80 -RealAddress $chosen
        $rs.PersistentConnections | Should -Be 1
        $rs.Statistics.Connections | Should -Be 4
        InGuest 'ipvsadm -L -n --persistent-conn' | Should -Match ([regex]::Escape("$($chosen):80") + '\s+1\s')
    }

    It 'Fwmark service: packets marked with nft in the guest reach the real servers through it' {
        New-LvsService -Director $L -FirewallMark 7 -Scheduler rr | Out-Null
        Add-LvsRealServer -Director $L -FirewallMark 7 -RealAddress $Rs2
        InGuest "nft add table ip lvsps_test && nft add chain ip lvsps_test pre '{ type filter hook prerouting priority -150; }' && nft add rule ip lvsps_test pre ip daddr $Vip tcp dport 80 meta mark set 7" | Out-Null
        InGuest 'nft list table ip lvsps_test' | Should -Match 'mark set 0x00000007'
        Fetch 3 | Should -Be @('rs2', 'rs2', 'rs2')
        WaitCounted 3 @{ FirewallMark = 7 }
        $svc = Get-LvsService -Director $L -FirewallMark 7
        $svc.Statistics.Connections | Should -Be 3
        $svc.RealServers.RealPort | Should -Be 0
        $svc.RealServers.Statistics.Connections | Should -Be 3
        # ipvsadm -L -c names the packets' VIP:port, not the mark: the entries are found by the real server.
        (Get-LvsConnection -Director $L -RealAddress $Rs2 -Port 80).Count | Should -BeGreaterOrEqual 3
        Remove-LvsRealServer -Director $L -FirewallMark 7 -RealAddress $Rs2 -Confirm:$false
        Remove-LvsService -Director $L -FirewallMark 7 -Confirm:$false
        Saved | Should -BeNullOrEmpty
    }

    It 'Get-/Set-LvsTimeout are ipvsadm --timeout / --set' {
        try {
            $t = Get-LvsTimeout -Director $L
            "Timeout (tcp tcpfin udp): $($t.Tcp) $($t.TcpFin) $($t.Udp)" | Should -Be (InGuest 'ipvsadm -L --timeout').Trim()
            $n = Set-LvsTimeout -Director $L -Tcp 800 -TcpFin 100 -Udp 200 -PassThru -Confirm:$false
            $n.Tcp | Should -Be 800
            (InGuest 'ipvsadm -L --timeout').Trim() | Should -Be 'Timeout (tcp tcpfin udp): 800 100 200'
            (Get-LvsTimeout -Director $L).Udp | Should -Be 200
        } finally {
            Set-LvsTimeout -Director $L -Tcp 900 -TcpFin 120 -Udp 300 -Confirm:$false
        }
    }

    It 'Get-/Set-LvsDefense are the net.ipv4.vs sysctls of the guest' {
        $before = Get-LvsDefense -Director $L
        $sysctl = (InGuest 'sysctl -n net.ipv4.vs.amemthresh net.ipv4.vs.drop_entry net.ipv4.vs.drop_packet net.ipv4.vs.am_droprate net.ipv4.vs.secure_tcp') -split "`n"
        @($before.AvailableThreshold, [int]$before.DropEntry, [int]$before.DropPacket, $before.DropRate, [int]$before.SecureTcp) -join ' ' | Should -Be ($sysctl -join ' ')
        try {
            $after = Set-LvsDefense -Director $L -DropEntry Always -AvailableThreshold 2048 -DropRate 20 -PassThru
            $after.DropEntry | Should -Be 'Always'
            (InGuest 'sysctl -n net.ipv4.vs.drop_entry net.ipv4.vs.amemthresh net.ipv4.vs.am_droprate') -split "`n" | Should -Be @('3', '2048', '20')
            (Get-LvsDefense -Director $L).Level | Should -Be 'DropEntry'
            { Set-LvsDefense -Director $L -MaxConnections 100 } | Should -Throw -ErrorId 'NotSupportedByDirector*'
        } finally {
            Set-LvsDefense -Director $L -DropEntry $before.DropEntry -AvailableThreshold $before.AvailableThreshold -DropRate $before.DropRate
        }
        (Get-LvsDefense -Director $L).ToString() | Should -Be $before.ToString()
    }
}

Describe 'Kernel refusals mapped to the engine''s ErrorIds' {
    BeforeAll {
        InGuest 'ipvsadm -C' | Out-Null
        New-LvsService -Director $L -VirtualAddress $Vip -Port 80 -Scheduler rr -RealServer (Rs $Rs1) | Out-Null
    }

    It 'the cmdlets: <Name>' -ForEach @(
        @{ Name = 'ServiceExists'; Script = { New-LvsService -Director $L -VirtualAddress $Vip -Port 80 -Scheduler rr }; Category = 'ResourceExists'; Said = 'Service already exists' }
        @{ Name = 'RealServerExists'; Script = { Add-LvsRealServer -Director $L -VirtualAddress $Vip -Port 80 -RealAddress $Rs1 }; Category = 'ResourceExists'; Said = 'Destination already exists' }
        @{ Name = 'ServiceNotFound'; Script = { Add-LvsRealServer -Director $L -VirtualAddress $Vip -Port 81 -RealAddress $Rs1 }; Category = 'ObjectNotFound'; Said = 'Service not defined' }
        @{ Name = 'ServiceNotFound'; Script = { Remove-LvsService -Director $L -VirtualAddress $Vip -Port 81 -Confirm:$false }; Category = 'ObjectNotFound'; Said = 'No such service' }
        @{ Name = 'ServiceNotFound'; Script = { Remove-LvsService -Director $L -FirewallMark 99 -Confirm:$false }; Category = 'ObjectNotFound'; Said = 'No such service' }
        @{ Name = 'RealServerNotFound'; Script = { Remove-LvsRealServer -Director $L -VirtualAddress $Vip -Port 80 -RealAddress $Rs2 -Confirm:$false }; Category = 'ObjectNotFound'; Said = 'No such destination' }
    ) {
        $e = $null
        try { & $Script -ErrorAction Stop } catch { $e = $_ }
        $e | Should -Not -BeNullOrEmpty
        $e.FullyQualifiedErrorId | Should -BeLike "$Name,*"
        $e.CategoryInfo.Category | Should -Be $Category
        $e.Exception.Message | Should -BeLike "*(ipvsadm: $Said)*"
    }

    # Discovery knows no lab yet: VIP, RS1 and RS2 stand for the lab's addresses.
    It 'the real ipvsadm text of <Arguments> is <Id>' -ForEach @(
        @{ Arguments = '-A -t VIP:80 -s rr'; Id = 'ServiceExists'; Kind = 'ResourceExists'; Text = 'Service already exists' }
        @{ Arguments = '-E -t VIP:81 -s rr'; Id = 'ServiceNotFound'; Kind = 'ObjectNotFound'; Text = 'No such service' }
        @{ Arguments = '-D -t VIP:81'; Id = 'ServiceNotFound'; Kind = 'ObjectNotFound'; Text = 'No such service' }
        @{ Arguments = '-D -f 99'; Id = 'ServiceNotFound'; Kind = 'ObjectNotFound'; Text = 'No such service' }
        @{ Arguments = '-Z -t VIP:81'; Id = 'ServiceNotFound'; Kind = 'ObjectNotFound'; Text = 'No such service' }
        @{ Arguments = '-L -n -t VIP:81'; Id = 'ServiceNotFound'; Kind = 'ObjectNotFound'; Text = 'No such service' }
        @{ Arguments = '-a -t VIP:81 -r RS1'; Id = 'ServiceNotFound'; Kind = 'ObjectNotFound'; Text = 'Service not defined' }
        @{ Arguments = '-e -t VIP:81 -r RS1'; Id = 'ServiceNotFound'; Kind = 'ObjectNotFound'; Text = 'Service not defined' }
        @{ Arguments = '-a -t VIP:80 -r RS1'; Id = 'RealServerExists'; Kind = 'ResourceExists'; Text = 'Destination already exists' }
        @{ Arguments = '-d -t VIP:80 -r RS2'; Id = 'RealServerNotFound'; Kind = 'ObjectNotFound'; Text = 'No such destination' }
        @{ Arguments = '-e -t VIP:80 -r RS2'; Id = 'RealServerNotFound'; Kind = 'ObjectNotFound'; Text = 'No such destination' }
        @{ Arguments = '-A -t VIP:82 -s twos'; Id = 'SchedulerNotImplemented'; Kind = 'NotImplemented'; Text = 'Scheduler or persistence engine not found' }
        @{ Arguments = '-e -t VIP:80 -r RS1 -x 5 -y 10'; Id = 'InvalidThreshold'; Kind = 'InvalidArgument'; Text = 'Numerical result out of range' }
        @{ Arguments = '-e -t VIP:80 -r RS1 -x 0 -y 10'; Id = 'InvalidThreshold'; Kind = 'InvalidArgument'; Text = 'Numerical result out of range' }
        @{ Arguments = '-a -t VIP:80 -r RS2 -x -5'; Id = 'InvalidThreshold'; Kind = 'InvalidArgument'; Text = 'illegal u_threshold specified' }
        @{ Arguments = '-e -t VIP:80 -r RS1 -w -1'; Id = 'InvalidWeight'; Kind = 'InvalidArgument'; Text = 'illegal weight specified' }
        @{ Arguments = '-a -t VIP:80 -r 255.255.255.255'; Id = 'InvalidArgument'; Kind = 'InvalidArgument'; Text = 'Invalid operation.  Possibly wrong module version, address not unicast' }
        @{ Arguments = '-a -t VIP:80 -r [2001:db8::1]:80 -m'; Id = 'InvalidAddress'; Kind = 'InvalidArgument'; Text = 'Different address family is allowed only for tunneling servers' }
        @{ Arguments = '-A -t VIP:0 -s rr'; Id = 'InvalidPort'; Kind = 'InvalidArgument'; Text = 'Zero port specified for non-persistent service' }
        @{ Arguments = '-A -t VIP:83 -s rr -b nosuch'; Id = 'InvalidSchedulerFlags'; Kind = 'InvalidArgument'; Text = "invalid scheduler flag ``nosuch'" }
        @{ Arguments = '-A -t VIP:83 -s rr -b sh-port'; Id = 'InvalidSchedulerFlags'; Kind = 'InvalidArgument'; Text = "incompatible scheduler flag ``sh-port'" }
        @{ Arguments = '-A -t VIP:84 -s rr -p 9999999'; Id = 'InvalidPersistence'; Kind = 'InvalidArgument'; Text = "invalid timeout value ``9999999' specified" }
        @{ Arguments = '--set 9999999999 0 0'; Id = 'InvalidTimeout'; Kind = 'InvalidArgument'; Text = "invalid timeout value ``9999999999' specified" }
    ) {
        $r = RawIpvsadm ($Arguments -replace 'VIP', $Vip -replace 'RS1', $Rs1 -replace 'RS2', $Rs2)
        $r.ExitStatus | Should -Not -Be 0
        $r.Error | Should -BeLike "*$([WildcardPattern]::Escape($Text))*"
        $e = [LvsPS.Management.Kernel.IpvsadmErrors]::FromResult($r, $L, "$Net.1", $null)
        $e.ErrorId | Should -Be $Id
        $e.Kind | Should -Be $Kind
    }
}

Describe 'Exports loaded back by the real ipvsadm and keepalived' {
    BeforeAll {
        function script:BuildTable {
            InGuest 'ipvsadm -C' | Out-Null
            New-LvsService -Director $L -VirtualAddress $Vip -Port 80 -Scheduler wrr -Persistent 300 -PersistenceNetmask 255.255.255.0 | Out-Null
            Add-LvsRealServer -Director $L -VirtualAddress $Vip -Port 80 -RealAddress $Rs1 -Weight 3
            Add-LvsRealServer -Director $L -VirtualAddress $Vip -Port 80 -RealAddress $Rs2 -Weight 1
            New-LvsService -Director $L -Protocol Udp -VirtualAddress $Vip -Port 53 -Scheduler lc -RealServer (Rs $Rs1) | Out-Null
            New-LvsService -Director $L -VirtualAddress $Vip -Port 443 -Scheduler sh -SchedulerFlags Fallback | Out-Null
            Add-LvsRealServer -Director $L -VirtualAddress $Vip -Port 443 -RealAddress $Rs1 -Forwarding Tunnel
            New-LvsService -Director $L -VirtualAddress $Vip -Port 8080 -Scheduler rr | Out-Null
            Add-LvsRealServer -Director $L -VirtualAddress $Vip -Port 8080 -RealAddress $Rs2 -RealPort 80 -Forwarding Masq -Weight 2
            New-LvsService -Director $L -FirewallMark 7 -Scheduler rr -RealServer (Rs $Rs2) | Out-Null
        }
        function script:WriteGuestFile([string]$Path, [string]$Text) {
            $b64 = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($Text))
            InGuest "echo $b64 | base64 -d > $Path" | Out-Null
        }
    }

    It 'Export-LvsConfiguration -Format IpvsadmRules, restored with ipvsadm -R after ipvsadm -C, reads back identical' {
        BuildTable
        $before = Saved
        $before.Count | Should -Be 11
        $rules = (Export-LvsConfiguration -Director $L -Format IpvsadmRules) -join "`n"
        WriteGuestFile /tmp/lvsps-rules ($rules + "`n")
        InGuest 'ipvsadm -C' | Out-Null
        Saved | Should -BeNullOrEmpty
        InGuest 'ipvsadm -R < /tmp/lvsps-rules 2>&1; echo rc=$?' | Should -Match 'rc=0$'
        Saved | Should -Be $before
        # and the kernel director reads the restored table as the original
        (Export-LvsConfiguration -Director $L -Format IpvsadmRules) -join "`n" | Should -Be $rules
    }

    It 'Export-LvsConfiguration -Format Keepalived passes keepalived -t, and keepalived builds the same IPVS table' {
        BuildTable
        $before = Saved | Sort-Object
        $conf = (Export-LvsConfiguration -Director $L -Format Keepalived) -join "`n"
        WriteGuestFile /tmp/lvsps-keepalived.conf ($conf + "`n")
        InGuest 'keepalived -t -f /tmp/lvsps-keepalived.conf 2>&1; echo rc=$?' | Should -Match 'rc=0$'
        InGuest 'ipvsadm -C' | Out-Null
        try {
            InGuest 'rm -f /tmp/lvsps-k.pid /tmp/lvsps-kc.pid; keepalived -C -f /tmp/lvsps-keepalived.conf -p /tmp/lvsps-k.pid -c /tmp/lvsps-kc.pid </dev/null >/dev/null 2>&1' | Out-Null
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            do { Start-Sleep -Milliseconds 500; $now = Saved | Sort-Object } until (($now -join "`n") -eq ($before -join "`n") -or [DateTime]::UtcNow -gt $deadline)
            $now | Should -Be $before
        } finally {
            InGuest 'test -s /tmp/lvsps-k.pid && kill $(cat /tmp/lvsps-k.pid); for i in 1 2 3 4 5 6 7 8 9 10; do test -e /tmp/lvsps-k.pid || break; sleep 0.5; done' | Out-Null
        }
    }
}

Describe 'Invoke-LvsAdm and Sync-LvsConfiguration on the kernel director' {
    BeforeAll { InGuest 'ipvsadm -C' | Out-Null }

    It 'builds the table from ipvsadm command lines; lvsadm -L -n prints what the guest''s own ipvsadm prints' {
        lvsadm "-A -t ${Vip}:80 -s rr" -Director $L
        lvsadm "-a -t ${Vip}:80 -r ${Rs1}:80 -g -w 1" -Director $L
        lvsadm "-a -t ${Vip}:80 -r ${Rs2}:80 -g -w 1" -Director $L
        (Saved) -join "`n" | Should -Be "-A -t ${Vip}:80 -s rr`n-a -t ${Vip}:80 -r ${Rs1}:80 -g -w 1`n-a -t ${Vip}:80 -r ${Rs2}:80 -g -w 1"
        # one string, as ipvsadm prints it: its lines and its one final newline
        lvsadm -L -n -Director $L | Should -BeExactly ((RawIpvsadm '-L -n').Output.TrimEnd("`n") + "`n")
        (Fetch 4 | Sort-Object -Unique) -join ',' | Should -Be 'rs1,rs2'
        $before = Saved
        lvsadm "-D -t ${Vip}:80" -Director $L -WhatIf
        Saved | Should -Be $before
    }

    It 'brings the kernel''s table to a rules file with the fewest changes, then plans nothing; -Prune removes what the file lacks' {
        $rules = Join-Path $TestDrive 'rules'
        "-A -t ${Vip}:80 -s wlc`n-a -t ${Vip}:80 -r ${Rs1}:80 -g -w 1`n-a -t ${Vip}:80 -r ${Rs2}:80 -g -w 3`n" | Set-Content -NoNewline -Path $rules
        InGuest "ipvsadm -A -t ${Vip}:23 -s rr" | Out-Null
        $plan = @(Sync-LvsConfiguration -Path $rules -Director $L -Force)
        ($plan | ForEach-Object { "$($_.Action) $($_.Target)" }) -join '; ' | Should -Be "Edit TCP ${Vip}:80; Edit real server ${Rs2}:80 in TCP ${Vip}:80"
        # what the kernel holds now, read by the guest's own ipvsadm
        (Saved | Where-Object { $_ -like "*${Vip}:80*" }) -join "`n" | Should -Be "-A -t ${Vip}:80 -s wlc`n-a -t ${Vip}:80 -r ${Rs1}:80 -g -w 1`n-a -t ${Vip}:80 -r ${Rs2}:80 -g -w 3"
        @(Sync-LvsConfiguration -Path $rules -Director $L -Force).Count | Should -Be 0
        # the service on port 23 is not in the file: it stays without -Prune, and goes with it
        Saved | Should -Contain "-A -t ${Vip}:23 -s rr"
        $pruned = @(Sync-LvsConfiguration -Path $rules -Director $L -Prune -Force)
        ($pruned | ForEach-Object { "$($_.Action) $($_.Target)" }) -join '; ' | Should -Be "Remove TCP ${Vip}:23"
        Saved | Should -Not -Contain "-A -t ${Vip}:23 -s rr"
    }
}

Describe 'LVS-NAT through the kernel (a second kernel lab, -Forwarding Masq)' {
    BeforeAll {
        $script:N = 'kb' + -join ((97..122) | Get-Random -Count 4 | ForEach-Object { [char]$_ })
        $script:NatLab = New-LvsLab -Name $N -RealServerCount 2 -Subnet '10.222.0.0/24' -Forwarding Masq -DirectorKind Kernel
        $script:NatVip = $NatLab.VirtualAddress.ToString()
    }
    AfterAll { if ($script:N) { Remove-LvsLab -Name $script:N -Confirm:$false -ErrorAction SilentlyContinue } }

    It 'rewrites VIP:8080 to RIP:80 and back: requests alternate, replies are counted, connections name the real port' {
        (Invoke-LvsLabCommand -Lab $N -Node director -Command 'cat /proc/sys/net/ipv4/ip_forward') | Should -Be '1'
        New-LvsService -Director $N -VirtualAddress $NatVip -Port 8080 -Scheduler rr | Out-Null
        foreach ($rs in $NatLab.RealServers) { Add-LvsRealServer -Director $N -VirtualAddress $NatVip -Port 8080 -RealAddress $rs.Address -RealPort 80 -Forwarding Masq }
        (Get-LvsRealServer -Director $N -VirtualAddress $NatVip -Port 8080).Forwarding | Select-Object -Unique | Should -Be 'Masq'
        $servers = 1..4 | ForEach-Object { ConvertTo-ServerNameOf ((Invoke-LvsLabCommand -Lab $N -Node client -Command "curl -s -m 5 http://$($NatVip):8080/test.html || true") -join '') }
        ($servers | Sort-Object) | Should -Be @('rs1', 'rs1', 'rs2', 'rs2')
        $servers[0] | Should -Not -Be $servers[1]
        $deadline = [DateTime]::UtcNow.AddSeconds(8)
        do { Start-Sleep -Milliseconds 500; $svc = Get-LvsService -Director $N -VirtualAddress $NatVip -Port 8080 } until ($svc.Statistics.Connections -ge 4 -or [DateTime]::UtcNow -gt $deadline)
        $svc.Statistics.Connections | Should -Be 4
        $svc.Statistics.OutPackets | Should -BeGreaterThan 4 -Because 'with LVS-NAT the replies pass the director'
        $svc.Statistics.OutBytes | Should -BeGreaterThan 0
        $c = Get-LvsConnection -Director $N -Port 8080
        $c.Count | Should -Be 4
        $c.RealPort | Select-Object -Unique | Should -Be 80
        $c | ForEach-Object { $_.RealAddress.ToString() } | Sort-Object -Unique | Should -Be @($NatLab.RealServers.Address | ForEach-Object ToString | Sort-Object)
    }
}
