#Requires -Version 7.4
# LVS-NAT end to end: real servers on an internal network behind the director (their default gateway); the
# engine rewrites VIP:port to RIP:port and the replies back, with real packets.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1') -LabParameters @{ NamePrefix = 'pn'; Network = '10.245'; RealServerCount = 2; Forwarding = 'Masq'; StartDirector = $true }
}

AfterAll { Remove-LvsTestLab -Name $script:LabName }

Describe 'LVS-NAT (masquerading) in a lab' {
    It 'puts the real servers on an internal network behind the director' {
        $Lab.Forwarding | Should -Be 'Masq'
        $Lab.RealServers[0].Address.ToString() | Should -BeLike ($Lab.InsideSubnet -replace '\d+/\d+$', '*')
        Invoke-LvsLabCommand -Lab $LabName -Node rs1 -Command 'ip route show default' | Out-String | Should -Match "via $([regex]::Escape($Lab.Director.InsideAddress.ToString()))"
        # The client cannot reach a real server itself: only through the VIP.
        Invoke-LvsLabCommand -Lab $LabName -Node client -Command "curl -s -m 2 -o /dev/null -w '%{http_code}' http://$($Lab.RealServers[0].Address)/test.html || true" | Should -Be '000'
        (Get-LvsDirector -Name $LabName).InsideInterface | Should -Be 'eth1'
    }

    It 'alternates test.html through the VIP and counts the replies (OutPkts)' {
        New-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler rr | Out-Null
        foreach ($rs in $Lab.RealServers) { Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $rs.Address -Forwarding Masq }
        $servers = Invoke-LvsTestRequest -Count 8 -AsServerName
        for ($i = 1; $i -lt $servers.Count; $i++) { $servers[$i] | Should -Not -Be $servers[$i - 1] }
        ($servers | Where-Object { $_ -like 'none*' }) | Should -BeNullOrEmpty
        $svc = Get-LvsService -Director $LabName -Port 80
        $svc.Statistics.Connections | Should -Be 8
        $svc.Statistics.OutPackets | Should -BeGreaterThan 8
        (Get-LvsService -Director $LabName -AsText) | Should -Match 'Masq    1'
    }

    It 'maps the service port to another real-server port' {
        New-LvsService -Director $LabName -VirtualAddress $Vip -Port 8080 -Scheduler rr | Out-Null
        Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 8080 -RealAddress $Lab.RealServers[1].Address -RealPort 80 -Forwarding Masq
        Invoke-LvsTestRequest -Count 2 -Port 8080 -AsServerName | Should -Be @('rs2', 'rs2')
        (Get-LvsConnection -Director $LabName -Port 8080 | Select-Object -First 1).RealPort | Should -Be 80
    }

    It 'passes the cluster checks (the ARP-hiding check does not apply to NAT)' {
        $results = Test-LvsCluster -Lab $LabName
        $results | Where-Object Result -eq 'Failed' | ForEach-Object { "$($_.Check) $($_.Target): $($_.Message)" } | Should -BeNullOrEmpty
        ($results | Where-Object Check -eq 'RealServerHidden').Result | Select-Object -Unique | Should -Be 'NotApplicable'
    }
}
