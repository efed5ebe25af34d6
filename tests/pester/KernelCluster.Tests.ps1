#Requires -Version 7.4
# Test-LvsCluster against a kernel lab (New-LvsLab -DirectorKind Kernel): a real Linux kernel's IPVS as the
# director (a QEMU guest where this host has no ip_vs), real servers in namespaces. It passes on the healthy lab and
# names the fault, with a remedy, on a broken one: the VIP missing on the director, a real server not hidden (ARP
# answered, or the VIP gone from its lo); each passes again after the fix. One lab for every case.

BeforeAll {
    # Without ip_vs on this host and without qemu-system-x86_64, New-LvsLab fails here saying so (LabSetupFailed).
    . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1') -LabParameters @{ NamePrefix = 'kc'; Network = '10.218'; DirectorKind = 'Kernel' }
    $script:Rs1 = $Lab.RealServers[0]
    New-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler rr | Out-Null
    foreach ($rs in $Lab.RealServers) { Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $rs.Address -Forwarding Route | Out-Null }
    Set-LvsRealServerHidden -Lab $LabName -Confirm:$false

    function Get-Check([string[]]$Include) { @(Test-LvsCluster -Lab $LabName -Include $Include) }
    function Get-Failed([object[]]$Results) { $Results | Where-Object Result -eq 'Failed' | ForEach-Object { "$($_.Check) $($_.Target): $($_.Message)" } }
    # A failed result: its message and its remedy as expected.
    function Assert-Failed([object]$Result, [string]$Message, [string]$Remedy) {
        @($Result).Count | Should -Be 1
        $Result.Result | Should -Be 'Failed'
        $Result.Message | Should -Match $Message
        $Result.Remedy | Should -Match $Remedy
    }
}

AfterAll { Remove-LvsTestLab -Name $script:LabName }

Describe 'Test-LvsCluster on a kernel lab' {
    It 'has a kernel director in the lab, the VIP on its eth0' {
        $Lab.DirectorKind | Should -Be 'Kernel'
        (Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'ip -o -4 addr show dev eth0') -join "`n" | Should -Match "inet $([regex]::Escape($Vip.ToString()))/32 .*eth0:101"
    }

    It 'passes every check on the healthy lab, with the kernel director''s expectations' {
        $results = @(Test-LvsCluster -Lab $LabName)
        Get-Failed $results | Should -BeNullOrEmpty
        $byCheck = @{}; foreach ($r in $results) { $byCheck["$($r.Check)|$($r.Target)"] = $r }
        # The kernel holds the VIP on its interface; the engine's "no kernel VIP" rule does not apply to it.
        $byCheck['DirectorHoldsVip|director'].Result | Should -Be 'Passed'
        $byCheck['DirectorHoldsVip|director'].Message | Should -Match "$([regex]::Escape($Vip.ToString())) on eth0"
        $byCheck['DirectorHasNoKernelVip|director'].Result | Should -Be 'NotApplicable'
        $byCheck['DirectorIpForwardOff|director'].Result | Should -Be 'Passed'
        $arp = $byCheck["VipArpOwner|$Vip"]
        $arp.Result | Should -Be 'Passed'
        $arp.Message | Should -Match ([regex]::Escape($Lab.Director.MacAddress))
        $dist = $byCheck["ServiceDistribution|TCP $($Vip):80"]
        $dist.Result | Should -Be 'Passed'
        $dist.Message | Should -Match "$([regex]::Escape($Rs1.Address.ToString())):80\): [1-9]"
        ($results | Where-Object Check -eq 'RealServerHidden' | ForEach-Object Result) | Should -Be @('Passed', 'Passed')
        Test-LvsCluster -Lab $LabName -Quiet | Should -BeTrue
    }

    It 'names the director when the VIP is missing on it, and passes again once it is back' {
        Invoke-LvsLabCommand -Lab $LabName -Node director -Command "ip addr del $Vip/32 dev eth0" | Out-Null
        try {
            $results = Get-Check DirectorHoldsVip, VipArpOwner, ServiceDistribution
            $holds = $results | Where-Object Check -eq 'DirectorHoldsVip'
            $holds.Target | Should -Be 'director'
            Assert-Failed $holds "director \($([regex]::Escape($Lab.Director.Address.ToString()))\) does not hold $([regex]::Escape($Vip.ToString()))" "ip addr add $([regex]::Escape($Vip.ToString()))/32 dev eth0"
            Assert-Failed ($results | Where-Object Check -eq 'VipArpOwner') 'Nobody answered ARP' 'on director'
            ($results | Where-Object Check -eq 'ServiceDistribution').Result | Should -Be 'Failed'
            Test-LvsCluster -Lab $LabName -Include Director -Quiet | Should -BeFalse
        } finally {
            Invoke-LvsLabCommand -Lab $LabName -Node director -Command "ip addr add $Vip/32 dev eth0 label eth0:101" | Out-Null
        }
        $results = Get-Check DirectorHoldsVip, VipArpOwner, ServiceDistribution
        Get-Failed $results | Should -BeNullOrEmpty
        ($results | ForEach-Object Result | Select-Object -Unique) | Should -Be 'Passed'
    }

    It 'names a real server that answers ARP for the VIP, and passes again once it is hidden' {
        Invoke-LvsLabCommand -Lab $LabName -Node rs1 -Command 'sysctl -qw net.ipv4.conf.all.arp_ignore=0 net.ipv4.conf.lo.arp_ignore=0 net.ipv4.conf.eth0.arp_ignore=0 net.ipv4.conf.all.arp_announce=0' | Out-Null
        try {
            $results = Get-Check RealServerHidden, VipArpOwner
            $hidden = $results | Where-Object { $_.Check -eq 'RealServerHidden' -and $_.Result -eq 'Failed' }
            $hidden.Target | Should -Be "$($Rs1.Address) ($Vip)"
            Assert-Failed $hidden "^rs1 \($([regex]::Escape($Rs1.Address.ToString()))\): ARP is not hidden" "^Set-LvsRealServerHidden -Lab $LabName -Node rs1$"
            $arp = $results | Where-Object Check -eq 'VipArpOwner'
            Assert-Failed $arp "rs1 \($([regex]::Escape($Rs1.MacAddress))\) answer ARP" 'Set-LvsRealServerHidden'
            $arp.Message | Should -Not -Match 'rs2'
        } finally {
            Set-LvsRealServerHidden -Lab $LabName -Node rs1 -Confirm:$false
        }
        $results = Get-Check RealServerHidden, VipArpOwner
        ($results | ForEach-Object Result | Select-Object -Unique) | Should -Be 'Passed'
    }

    It 'names a real server whose lo lost the VIP, and passes again once it is back' {
        Invoke-LvsLabCommand -Lab $LabName -Node rs1 -Command "ip addr del $Vip/32 dev lo" | Out-Null
        try {
            $hidden = Get-Check RealServerVip | Where-Object Result -eq 'Failed'
            Assert-Failed $hidden "^rs1 \($([regex]::Escape($Rs1.Address.ToString()))\): the VIP is not on lo" 'Set-LvsRealServerHidden .*-Node rs1'
        } finally {
            Set-LvsRealServerHidden -Lab $LabName -Node rs1 -Confirm:$false
        }
        (Get-Check RealServerVip, RealServerHidden | ForEach-Object Result | Select-Object -Unique) | Should -Be 'Passed'
        Test-LvsCluster -Lab $LabName -Quiet | Should -BeTrue
    }

    It 'warns naming the director when a kernel DR director forwards (ip_forward 1), and passes again at 0' {
        Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'sysctl -w net.ipv4.ip_forward=1' | Out-Null
        try {
            $r = @(Get-Check DirectorIpForwardOff)
            $r.Count | Should -Be 1
            "$($r[0].Result) $($r[0].Target): $($r[0].Message) | $($r[0].Remedy)" |
                Should -Match "^Warning director: net\.ipv4\.ip_forward = 1 on director \([0-9.]+\); DR does not need kernel forwarding .* \| Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'sysctl -w net\.ipv4\.ip_forward=0'$"
            # The remedy, as given, is the fix.
            Invoke-Expression $r[0].Remedy | Out-Null
        } finally {
            Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'sysctl -w net.ipv4.ip_forward=0' | Out-Null
        }
        $r = @(Get-Check DirectorIpForwardOff)
        $r[0].Result | Should -Be 'Passed'
        $r[0].Message | Should -Match 'ip_forward = 0 on director'
    }

    It 'judges the kernel director''s offloads by the kernel''s rule, or warns naming the director when its guest has no ethtool' {
        $has = ((Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'PATH="$PATH:/usr/sbin:/sbin"; command -v ethtool || echo none') -join '').Trim()
        $r = @(Get-Check DirectorOffloads)
        $r.Count | Should -Be 1
        $r[0].Target | Should -Be 'director eth0'
        if ($has -eq 'none') {
            $r[0].Result | Should -Be 'Warning'
            $r[0].Message | Should -Match '^ethtool is not installed on director \([0-9.]+\): its offloads cannot be read \(not judged\)\.$'
            $r[0].Remedy | Should -Be "Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'apt-get install ethtool'"
        } else {
            # A kernel director: only LRO matters (GRO may stay on).
            $r[0].Result | Should -BeIn 'Passed', 'Failed'
            if ($r[0].Result -eq 'Passed') { $r[0].Message | Should -Match 'GRO may stay on' } else { $r[0].Message | Should -Match 'LRO on' }
        }
    }

    It 'removes the lab: no namespace and no QEMU process of it remain' {
        Remove-LvsLab -Name $LabName -Confirm:$false
        (& ip netns list) -join "`n" | Should -Not -Match "lvs-$LabName-"
        (& pgrep -f "lvsps-$LabName-director") | Should -BeNullOrEmpty
        $script:LabName = $null
    }
}
