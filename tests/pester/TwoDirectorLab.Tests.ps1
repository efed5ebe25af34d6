#Requires -Version 7.4
# A two-director lab (both engine directors): director1 and director2 on one segment with the client and the real
# servers. Neither holds the VIP of itself; the client reaches it through whichever director answers ARP for it.
# First director1's lvsd serves it, then, director1 stopped, director2's: both directors forward.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1') -LabParameters @{ NamePrefix = 'pd'; Network = '10.213'; RealServerCount = 2; DirectorCount = 2; HideRealServers = $true }
    $script:D1, $script:D2 = $Lab.Directors
    $script:Name1, $script:Name2 = $TestLab.Directors
    # the MAC the client has for the VIP (after asking afresh), or nothing
    $script:VipMac = {
        Invoke-LvsLabCommand -Lab $LabName -Node client -Command "ip neigh show $Vip dev eth0" |
            ForEach-Object { if ($_ -match 'lladdr ([0-9a-f:]{17})') { $Matches[1] } }
    }
    $script:Serve = {
        param([string]$Director)
        New-LvsService -Director $Director -VirtualAddress $Vip -Port 80 -Scheduler rr | Out-Null
        foreach ($rs in $Lab.RealServers) { Add-LvsRealServer -Director $Director -VirtualAddress $Vip -Port 80 -RealAddress $rs.Address -Forwarding Route }
    }
}

AfterAll {
    foreach ($n in @($script:Name1, $script:Name2)) {
        if ($n) { Stop-LvsDirector -Name $n -ErrorAction SilentlyContinue -Confirm:$false }
    }
    Remove-LvsTestLab -Name $script:LabName
}

Describe 'A two-director lab' {
    It 'has director1 (.1) and director2 (.2), named LAB-director1 and LAB-director2, and neither holds the VIP' {
        $Lab.Directors.Name | Should -Be @('director1', 'director2')
        $TestLab.Directors | Should -Be @("$LabName-director1", "$LabName-director2")
        $D1.Address.ToString() | Should -BeLike '*.1'
        $D2.Address.ToString() | Should -BeLike '*.2'
        foreach ($d in 'director1', 'director2') {
            (Invoke-LvsLabCommand -Lab $LabName -Node $d -Command 'ip -4 -o addr show') -join "`n" | Should -Not -Match ([regex]::Escape("$Vip/"))
        }
        (Get-LvsLab -Name $LabName | Format-Table | Out-String -Width 80) | Should -Match 'Engine,Engine'
    }

    It 'serves the VIP through director1 when its lvsd answers ARP for it' {
        $s = Start-LvsDirector -Lab $LabName -Node director1
        $s.Name | Should -Be $Name1
        & $Serve $Name1
        $servers = Invoke-LvsTestRequest -Count 4 -AsServerName
        ($servers | Where-Object { $_ -like 'none*' }) | Should -BeNullOrEmpty
        ($servers | Sort-Object -Unique) | Should -Be @('rs1', 'rs2')
        & $VipMac | Should -Be $D1.MacAddress
        (Get-LvsService -Director $Name1 -Port 80).Statistics.Connections | Should -BeGreaterOrEqual 4
    }

    It 'passes the cluster checks on director1 (Test-LvsCluster -Lab checks the pair''s first director)' {
        # director1 alone (director2 is not started yet, and neither runs VRRP): the pair's Failover checks are HaChecks.Tests'
        $results = Test-LvsCluster -Lab $LabName -Exclude Failover
        ($results | Where-Object Check -eq 'DirectorIpForwardOff').Target | Should -Be 'director1'
        ($results | Where-Object Check -eq 'VipArpOwner').Message | Should -Match 'director1'
        # (director2 is not started: Test-LvsCluster -Lab says so of it, and only of it)
        @($results | Where-Object { $_.Result -eq 'Failed' -and $_.Target -match 'director2' }).Check | Should -Be 'DirectorRunning'
        $results | Where-Object { $_.Result -eq 'Failed' -and $_.Target -notmatch 'director2' } | ForEach-Object { "$($_.Check) $($_.Target): $($_.Message)" } | Should -BeNullOrEmpty
    }

    It 'serves it through director2 once director1 is stopped and director2 answers' {
        Stop-LvsDirector -Name $Name1 -Confirm:$false
        $s = Start-LvsDirector -Lab $LabName -Node director2
        $s.Name | Should -Be $Name2
        & $Serve $Name2
        # the client forgets director1's MAC and asks again: director2 answers now
        Invoke-LvsLabCommand -Lab $LabName -Node client -Command "ip neigh flush to $Vip dev eth0" | Out-Null
        $servers = Invoke-LvsTestRequest -Count 4 -AsServerName
        ($servers | Where-Object { $_ -like 'none*' }) | Should -BeNullOrEmpty
        ($servers | Sort-Object -Unique) | Should -Be @('rs1', 'rs2')
        & $VipMac | Should -Be $D2.MacAddress
        (Get-LvsService -Director $Name2 -Port 80).Statistics.Connections | Should -BeGreaterOrEqual 4
    }

    It 'starts and stops both engine directors with -Lab' {
        Stop-LvsDirector -Name $Name2 -Confirm:$false
        $all = @(Start-LvsDirector -Lab $LabName)
        $all.Name | Should -Be @($Name1, $Name2)
        $all | ForEach-Object { $_.Running | Should -BeTrue }
        $all[0].NetworkNamespace | Should -Be $D1.Namespace
        $all[1].NetworkNamespace | Should -Be $D2.Namespace
        Stop-LvsDirector -Lab $LabName -Confirm:$false
        (Get-LvsDirector -Name $Name1, $Name2 -ErrorAction SilentlyContinue | Where-Object Running) | Should -BeNullOrEmpty
    }

    It 'runs commands on either director by node name' {
        (Invoke-LvsLabCommand -Lab $LabName -Node director2 -Command 'cat /sys/class/net/eth0/address') | Should -Be $D2.MacAddress
        (Invoke-LvsLabCommand -Lab $LabName -Node vs1 -Command 'cat /sys/class/net/eth0/address') | Should -Be $D1.MacAddress
    }
}
