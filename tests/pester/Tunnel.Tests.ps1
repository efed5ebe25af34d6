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
