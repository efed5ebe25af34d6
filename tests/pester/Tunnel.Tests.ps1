#Requires -Version 7.4
# LVS-TUN end to end: the director wraps each client packet in IPv4-in-IPv4 to the real server. This machine's
# kernel has no ipip link type, so the lab's real servers decapsulate with LvsPS's user-space endpoint into a TUN
# device (lvstun0) that holds the VIP; their kernels then answer the client directly, as LVS-TUN real servers do.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1') -LabParameters @{ NamePrefix = 'pu'; Network = '10.243'; RealServerCount = 2; Forwarding = 'Tunnel'; StartDirector = $true }
}

AfterAll { Remove-LvsTestLab -Name $script:LabName }

Describe 'LVS-TUN (IP-in-IP) in a lab' {
    It 'prepares the real servers: VIP on the tunnel device, hidden from ARP' {
        $states = Set-LvsRealServerHidden -Lab $LabName -Interface lvstun0 -PassThru
        $states | ForEach-Object { $_.Interface | Should -Be 'lvstun0'; $_.IsHidden | Should -BeTrue }
    }

    It 'alternates test.html through the VIP, every packet tunnelled to the real server' {
        New-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler rr | Out-Null
        foreach ($rs in $Lab.RealServers) { Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $rs.Address -Forwarding Tunnel }
        $rx = { param($n) [long]((Invoke-LvsLabCommand -Lab $LabName -Node $n -Command 'cat /sys/class/net/lvstun0/statistics/rx_packets') -join '') }
        $before = & $rx 'rs1'
        $servers = Invoke-LvsTestRequest -Count 6 -AsServerName
        for ($i = 1; $i -lt $servers.Count; $i++) { $servers[$i] | Should -Not -Be $servers[$i - 1] }
        ($servers | Where-Object { $_ -like 'none*' }) | Should -BeNullOrEmpty
        # rs1 received its three connections' packets through the tunnel device, not on eth0.
        ((& $rx 'rs1') - $before) | Should -BeGreaterOrEqual 9
        (Get-LvsService -Director $LabName -AsText) | Should -Match 'Tunnel  1'
        (Get-LvsService -Director $LabName -Port 80).Statistics.OutPackets | Should -Be 0
    }

    It 'passes the cluster checks' {
        $results = Test-LvsCluster -Lab $LabName
        $results | Where-Object Result -eq 'Failed' | ForEach-Object { "$($_.Check) $($_.Target): $($_.Message)" } | Should -BeNullOrEmpty
    }
}

Describe 'Test-LvsCluster on tunnel real servers: RealServerRpFilter and RealServerTunnelMtu' {
    BeforeAll {
        $script:Rs1 = ($Lab.RealServers | Where-Object Name -EQ rs1).Address
        function script:Rs1([string]$Command) { Invoke-LvsLabCommand -Lab $LabName -Node rs1 -Command $Command }
        function script:Rs1Result([string]$Check) {
            @(Test-LvsCluster -Lab $LabName -Include $Check | Where-Object Target -EQ "$Rs1 ($Vip)")
        }
    }

    It 'names rs1 when rp_filter is strict on lvstun0 (the requests arrive out of the tunnel, the route back is via eth0), and passes after the fix' {
        (Rs1Result RealServerRpFilter)[0].Result | Should -Be 'Passed'
        # A distribution whose default is rp_filter=1 gives the new tunnel device strict filtering ("all" at 0 so
        # that lvstun0's own value is the one the kernel applies).
        Rs1 'sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.lvstun0.rp_filter=1' | Out-Null
        try {
            # The real fault: the kernel drops every decapsulated request to rs1; of two requests (rr) one is rs1's,
            # and curl times out on it (exit 28).
            { Invoke-LvsTestRequest -Count 2 -AsServerName } | Should -Throw '*exited with code 28*'
            $r = Rs1Result RealServerRpFilter
            $r[0].Result | Should -Be 'Failed'
            $r[0].Message | Should -Match "^rs1 \($([regex]::Escape("$Rs1"))\): strict rp_filter on lvstun0 \(all=0, lvstun0=1; the kernel applies the larger\) drops the requests: they arrive on lvstun0 out of the tunnel but the route back to the clients is via \S+\.$"
            $r[0].Remedy | Should -Be 'On the real server: sysctl -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.lvstun0.rp_filter=2'
            # The remedy, as given, is the fix.
            Rs1 ($r[0].Remedy -replace '^On the real server: ', '') | Out-Null
        } finally { Rs1 'sysctl -qw net.ipv4.conf.lvstun0.rp_filter=2' | Out-Null }
        $r = Rs1Result RealServerRpFilter
        $r[0].Result | Should -Be 'Passed'
        $r[0].Message | Should -Match 'rp_filter 2 on lvstun0 .*: loose'
        (Invoke-LvsTestRequest -Count 2 -AsServerName | Sort-Object) | Should -Be @('rs1', 'rs2')
    }

    It 'warns naming rs1 while it advertises a full-size MSS the IPIP header does not fit, and passes after its remedy' {
        $r = Rs1Result RealServerTunnelMtu
        $r[0].Result | Should -Be 'Warning'
        $r[0].Message | Should -Match "^rs1 \($([regex]::Escape("$Rs1"))\): it advertises MSS 1460 on \S+ \(mtu 1500; lvstun0 mtu \d+\): a full segment plus the director's 20-byte tunnel header is 1520 bytes, more than 1500"
        $r[0].Remedy | Should -Match '^On the real server: ip route change .* advmss 1440$'
        Rs1 ($r[0].Remedy -replace '^On the real server: ', '') | Out-Null
        (Rs1 'ip -4 route show') -join "`n" | Should -Match 'advmss 1440'
        $r = Rs1Result RealServerTunnelMtu
        $r[0].Result | Should -Be 'Passed'
        $r[0].Message | Should -Match 'advertises MSS 1440 <= 1440: full segments fit'
        # rs1 still serves through the tunnel with its lowered MSS.
        (Invoke-LvsTestRequest -Count 2 -AsServerName | Sort-Object) | Should -Be @('rs1', 'rs2')
    }
}
