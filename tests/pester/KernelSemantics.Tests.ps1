#Requires -Version 7.4
# Kernel IPVS semantics beyond round robin, end to end in a lab with real packets: persistence (with its
# netmask and templates), connection thresholds (OVERLOAD), timeouts (--set), zeroing (-Z).

BeforeAll {
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'LvsPS.TestHelpers.psm1') -Force
    Import-LvsTestModule
    $script:TestLab = New-LvsTestLab -NamePrefix pk -Network 10.247 -RealServerCount 3 -StartDirector -HideRealServers
    $script:LabName = $TestLab.Name; $script:Octet = $TestLab.Octet
    $script:Vip = $TestLab.VirtualAddress; $script:Rs = $TestLab.RealServers
    # A second client address in the same /24, for the persistence netmask.
    $script:Client2 = "10.247.$Octet.201"
    Invoke-LvsLabCommand -Lab $LabName -Node client -Command "ip addr add $Client2/24 dev eth0" | Out-Null
}

AfterAll { Remove-LvsTestLab -Name $script:LabName }

Describe 'Persistence (ipvsadm -p, -M)' {
    BeforeAll {
        New-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler rr -Persistent 60 | Out-Null
        foreach ($n in 'rs1', 'rs2', 'rs3') { Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs[$n] }
    }

    It 'sends every connection of a client to one real server and lists the template' {
        $servers = Invoke-LvsTestRequest -Count 6 -AsServerName
        ($servers | Select-Object -Unique).Count | Should -Be 1
        $script:Sticky = $servers[0]
        $Sticky | Should -Match '^rs[123]$'
        (Get-LvsService -Director $LabName -AsText) -split "`n" | Should -Contain "TCP  $($Vip):80 rr persistent 60"
        $template = Get-LvsConnection -Director $LabName -Port 80 | Where-Object { $_.ClientPort -eq 0 }
        $template.Count | Should -Be 1
        $template.State | Should -Be 'Assured'   # ip_vs_control_assure_ct: its connection got ESTABLISHED
        Resolve-LvsTestRealServer $template.RealAddress | Should -Be $Sticky
        (Get-LvsRealServer -Director $LabName -Port 80 -RealAddress $Rs[$Sticky]).PersistentConnections | Should -Be 1
    }

    It 'gives another client address (mask /32) its own template' {
        $other = Invoke-LvsTestRequest -Count 3 -From $Client2 -AsServerName
        ($other | Select-Object -Unique).Count | Should -Be 1
        $other[0] | Should -Not -Be $Sticky   # rr moved on for the new template
        (Get-LvsConnection -Director $LabName -Port 80 | Where-Object { $_.ClientPort -eq 0 }).Count | Should -Be 2
    }

    It 'keeps a quiesced server for its persistent clients (expire_quiescent_template = 0)' {
        Set-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs[$Sticky] -Weight 0
        Invoke-LvsTestRequest -Count 2 -AsServerName | Should -Be @($Sticky, $Sticky)
        Set-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs[$Sticky] -Weight 1
    }

    It 'reschedules a client whose real server was deleted' {
        Remove-LvsRealServer -Force -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs[$Sticky]
        $after = Invoke-LvsTestRequest -Count 3 -AsServerName
        ($after | Select-Object -Unique).Count | Should -Be 1
        $after[0] | Should -Not -Be $Sticky
        $after[0] | Should -Match '^rs[123]$'
    }

    It 'keeps a whole /24 together with -PersistenceNetmask 255.255.255.0' {
        Remove-LvsService -Force -Director $LabName -VirtualAddress $Vip -Port 80
        New-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler rr -Persistent 60 -PersistenceNetmask 255.255.255.0 | Out-Null
        foreach ($n in 'rs1', 'rs2', 'rs3') { Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs[$n] }
        $a = Invoke-LvsTestRequest -Count 2 -AsServerName
        $b = Invoke-LvsTestRequest -Count 2 -From $Client2 -AsServerName
        @($a + $b | Select-Object -Unique).Count | Should -Be 1
        (Get-LvsService -Director $LabName -AsText) -split "`n" | Should -Contain "TCP  $($Vip):80 rr persistent 60 mask 255.255.255.0"
        $template = Get-LvsConnection -Director $LabName -Port 80 | Where-Object { $_.ClientPort -eq 0 }
        $template.ClientAddress.ToString() | Should -Be "10.247.$Octet.0"
    }

    It 'turns persistence off with Set-LvsService -Persistent 0' {
        Set-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Persistent 0
        $servers = Invoke-LvsTestRequest -Count 6 -AsServerName
        ($servers | Select-Object -Unique).Count | Should -Be 3
        (Get-LvsService -Director $LabName -Port 80).PersistentTimeout | Should -Be 0
    }
}

Describe 'Connection thresholds (ipvsadm -x, -y) and the OVERLOAD mark' {
    It 'takes an overloaded real server out of scheduling until its threshold is lifted' {
        New-LvsService -Director $LabName -VirtualAddress $Vip -Port 23 -Scheduler rr | Out-Null
        Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 23 -RealAddress $Rs.rs1 -UpperThreshold 1
        Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 23 -RealAddress $Rs.rs2
        # List order is newest first: rs2, rs1. rr: rs2, rs1 (now at its threshold: overloaded), then rs2, rs2.
        1..4 | ForEach-Object { Open-LvsTestSession -Seconds 15 }
        $rs1 = Get-LvsRealServer -Director $LabName -Port 23 -RealAddress $Rs.rs1
        $rs2 = Get-LvsRealServer -Director $LabName -Port 23 -RealAddress $Rs.rs2
        $rs1.Overloaded | Should -BeTrue
        $rs1.UpperThreshold | Should -Be 1
        $rs1.ActiveConnections | Should -Be 1
        $rs2.ActiveConnections | Should -Be 3
        # Raising the threshold lifts the mark at once (__ip_vs_update_dest).
        Set-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 23 -RealAddress $Rs.rs1 -UpperThreshold 10
        (Get-LvsRealServer -Director $LabName -Port 23 -RealAddress $Rs.rs1).Overloaded | Should -BeFalse
        1..2 | ForEach-Object { Open-LvsTestSession -Seconds 5 }
        (Get-LvsRealServer -Director $LabName -Port 23 -RealAddress $Rs.rs1).ActiveConnections | Should -BeGreaterThan 1
    }

    It 'refuses a lower threshold above the upper one and changes nothing' {
        $before = Export-LvsConfiguration -Director $LabName -Format IpvsadmRules -IncludeThresholds
        { Set-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 23 -RealAddress $Rs.rs2 -UpperThreshold 5 -LowerThreshold 9 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidThreshold,LvsPS.Commands.SetLvsRealServerCommand'
        Export-LvsConfiguration -Director $LabName -Format IpvsadmRules -IncludeThresholds | Should -Be $before
    }
}

Describe 'Timeouts (ipvsadm --set) and zeroing (ipvsadm -Z)' {
    It 'sets the timeouts, applies them to new entries and keeps them across a restart' {
        (Get-LvsTimeout -Director $LabName | ForEach-Object { "$($_.Tcp) $($_.TcpFin) $($_.Udp)" }) | Should -Be '900 120 300'
        $t = Set-LvsTimeout -Director $LabName -Tcp 300 -TcpFin 30 -PassThru
        "$($t.Tcp) $($t.TcpFin) $($t.Udp)" | Should -Be '300 30 300'
        $old = @(Get-LvsConnection -Director $LabName -Port 80 | ForEach-Object ClientPort)
        Invoke-LvsTestRequest -Count 1 | Out-Null
        $fin = Get-LvsConnection -Director $LabName -Port 80 -State FinWait | Where-Object { $_.ClientPort -notin $old }
        $fin.Count | Should -Be 1
        $fin.ExpiresInSeconds | Should -BeLessOrEqual 30
        $fin.ExpiresInSeconds | Should -BeGreaterThan 20
        Stop-LvsDirector -Force -Name $LabName
        Start-LvsDirector -Lab $LabName | Out-Null
        (Get-LvsTimeout -Director $LabName).TcpFin | Should -Be 30
        { Set-LvsTimeout -Director $LabName -Udp 3000000 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,LvsPS.Commands.SetLvsTimeoutCommand'
    }

    It 'zeroes the counters of one service or all' {
        Invoke-LvsTestRequest -Count 3 | Out-Null
        (Get-LvsService -Director $LabName -Port 80).Statistics.Connections | Should -BeGreaterThan 0
        Get-LvsService -Director $LabName -Port 80 | Clear-LvsCounter -Force
        $s = Get-LvsService -Director $LabName -Port 80
        $s.Statistics.Connections | Should -Be 0
        $s.Statistics.InPackets | Should -Be 0
        ($s.RealServers.Statistics.Connections | Measure-Object -Sum).Sum | Should -Be 0
        Invoke-LvsTestRequest -Count 2 | Out-Null
        Clear-LvsCounter -Force -Director $LabName
        (Get-LvsService -Director $LabName).Statistics.Connections | ForEach-Object { $_ | Should -Be 0 }
    }
}

Describe 'Firewall-mark services (ipvsadm -f) with mark rules' {
    BeforeAll { $script:Vip2 = "10.247.$Octet.97" }

    It 'takes the packets its rules mark, ahead of the address service, for a VIP and a range of VIPs' {
        New-LvsFirewallMarkRule -Director $LabName -Mark 7 -Address $Vip -Protocol Tcp -PortFrom 80 | Out-Null
        New-LvsFirewallMarkRule -Director $LabName -Mark 7 -Address "10.247.$Octet.96" -PrefixLength 29 -Protocol Tcp -PortFrom 80 | Out-Null
        (Get-LvsFirewallMarkRule -Director $LabName -Mark 7).Count | Should -Be 2
        New-LvsService -Director $LabName -FirewallMark 7 -Scheduler rr | Out-Null
        Add-LvsRealServer -Director $LabName -FirewallMark 7 -RealAddress $Rs.rs1
        Add-LvsRealServer -Director $LabName -FirewallMark 7 -RealAddress $Rs.rs3
        Set-LvsRealServerHidden -Lab $LabName -VirtualAddress $Vip2
        $addressService = (Get-LvsService -Director $LabName -Port 80 | Where-Object FirewallMark -eq 0).Statistics.Connections
        $a = Invoke-LvsTestRequest -Count 4 -AsServerName
        (($a | Sort-Object -Unique) -join ',') | Should -Be 'rs1,rs3'
        $b = Invoke-LvsTestRequest -Count 2 -Address $Vip2
        $b | ForEach-Object { $_ | Should -Match 'real server #[13]' }
        (Get-LvsService -Director $LabName -FirewallMark 7).Statistics.Connections | Should -Be 6
        (Get-LvsService -Director $LabName -Port 80 | Where-Object FirewallMark -eq 0).Statistics.Connections | Should -Be $addressService
        (Get-LvsService -Director $LabName -AsText) -split "`n" | Should -Contain 'FWM  7 rr'
    }

    It 'refuses bad rules and keeps what is configured' {
        $before = @(Get-LvsFirewallMarkRule -Director $LabName).Count
        { New-LvsFirewallMarkRule -Director $LabName -Mark 7 -Address $Vip -PortFrom 90 -PortTo 80 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidPort,LvsPS.Commands.NewLvsFirewallMarkRuleCommand'
        { New-LvsFirewallMarkRule -Director $LabName -Mark 0 -Address $Vip -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidFirewallMark,LvsPS.Commands.NewLvsFirewallMarkRuleCommand'
        { New-LvsFirewallMarkRule -Director $LabName -Mark 7 -Address $Vip -Protocol Tcp -PortFrom 80 -ErrorAction Stop } |
            Should -Throw -ErrorId 'MarkRuleExists,LvsPS.Commands.NewLvsFirewallMarkRuleCommand'
        @(Get-LvsFirewallMarkRule -Director $LabName).Count | Should -Be $before
    }

    It 'keeps rules and fwmark services across a restart, and removes them' {
        Stop-LvsDirector -Force -Name $LabName
        Start-LvsDirector -Lab $LabName | Out-Null
        @(Get-LvsFirewallMarkRule -Director $LabName -Mark 7).Count | Should -Be 2
        (Get-LvsService -Director $LabName -FirewallMark 7).RealServers.Count | Should -Be 2
        Get-LvsFirewallMarkRule -Director $LabName -Mark 7 | Remove-LvsFirewallMarkRule -Force -Director $LabName
        @(Get-LvsFirewallMarkRule -Director $LabName).Count | Should -Be 0
        # Without a rule the address service has VIP:80 again.
        (Invoke-LvsTestRequest -Count 1 -AsServerName) | Should -Match '^rs[123]$'
        Remove-LvsService -Force -Director $LabName -FirewallMark 7
        Get-LvsService -Director $LabName -FirewallMark 7 | Should -BeNullOrEmpty
    }
}
