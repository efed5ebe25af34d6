#Requires -Version 7.4
# Test-LvsCluster's director-side checks on a real lab with an engine director (lvsd), run both as a lab (-Lab) and
# as on a production cluster (-Director with SSH: the lab's client as -ClientComputerName, arping over SSH). Each
# check is broken by exactly its own fault with Invoke-LvsLabCommand, fails naming the broken host with a remedy,
# and passes again after the fix. Bounded: a few ARP probes and SSH logins; no traffic leaves the lab.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1') -LabParameters @{ NamePrefix = 'chkdir'; Network = '10.160'; StartDirector = $true; HideRealServers = $true }
    New-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler rr | Out-Null
    foreach ($rs in $TestLab.RealServers.Values | Sort-Object) { Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $rs -Weight 1 | Out-Null }
    $script:Iface = $Lab.Director.Interface
    $script:Rs1 = $TestLab.RealServers['rs1']; $script:Rs2 = $TestLab.RealServers['rs2']
    $script:Known = Join-Path $TestDrive 'known_hosts'
    Copy-Item $Lab.KnownHostsFile $Known

    # The production form: the director by name, the hosts over SSH from the lab's management namespace.
    function script:Get-ProdCheck([string[]]$Check, [string]$KnownHosts = $Known, [switch]$NoClient) {
        $p = @{ Director = $LabName; Include = $Check; KeyFile = $Lab.KeyFile; KnownHostsFile = $KnownHosts; NetworkNamespace = $Lab.ManagementNamespace }
        if (-not $NoClient) { $p.ClientComputerName = "$($Lab.Client.Address)" }
        @(Test-LvsCluster @p)
    }
    function script:Assert-Failed($r, [string]$Message, [string]$Remedy) {
        $r.Result | Should -Be 'Failed' -Because "$($r.Message) | $($r.Remedy)"
        $r.Message | Should -Match $Message
        $r.Remedy | Should -Match $Remedy
    }
}

AfterAll { Remove-LvsTestLab -Name $script:LabName }

Describe 'DirectorHasNoKernelVip on the engine director' {
    It 'fails when the engine director''s kernel holds the VIP, naming the director and the device, and passes after the fix' {
        (Get-ProdCheck DirectorHasNoKernelVip)[0].Result | Should -Be 'Passed'
        Invoke-LvsLabCommand -Lab $LabName -Node director -Command "ip addr add $Vip/32 dev lo" | Out-Null
        try {
            $r = (Get-ProdCheck DirectorHasNoKernelVip)[0]
            Assert-Failed $r "holds $([regex]::Escape("$Vip")) on lo" "ip addr del $([regex]::Escape("$Vip"))/32 dev lo"
            $r.Message | Should -Match "netns $([regex]::Escape($Lab.Director.Namespace))"
            $byLab = (Test-LvsCluster -Lab $LabName -Include DirectorHasNoKernelVip)[0]
            Assert-Failed $byLab 'director' "Invoke-LvsLabCommand -Lab $LabName -Node director"
            $byLab.Target | Should -Be 'director'
        } finally {
            Invoke-LvsLabCommand -Lab $LabName -Node director -Command "ip addr del $Vip/32 dev lo" | Out-Null
        }
        (Get-ProdCheck DirectorHasNoKernelVip)[0].Result | Should -Be 'Passed'
        (Get-ProdCheck DirectorHoldsVip)[0].Result | Should -Be 'NotApplicable'
    }
}

Describe 'DirectorIpForwardOff' {
    It 'warns when ip_forward is 1 on the director, with the sysctl remedy, and passes after the fix' {
        (Get-ProdCheck DirectorIpForwardOff)[0].Result | Should -Be 'Passed'
        Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'sysctl -qw net.ipv4.ip_forward=1' | Out-Null
        try {
            $r = (Get-ProdCheck DirectorIpForwardOff)[0]
            $r.Result | Should -Be 'Warning'
            $r.Target | Should -Be $LabName
            $r.Message | Should -Match "ip_forward = 1 on .*netns $([regex]::Escape($Lab.Director.Namespace))"
            $r.Remedy | Should -Match 'sysctl -w net.ipv4.ip_forward=0'
        } finally {
            Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'sysctl -qw net.ipv4.ip_forward=0' | Out-Null
        }
        (Get-ProdCheck DirectorIpForwardOff)[0].Result | Should -Be 'Passed'
    }
}

Describe 'DirectorOffloads' {
    It 'fails when GRO is on for the engine director''s interface, naming director, interface and feature, and passes after the fix' {
        $ok = (Get-ProdCheck DirectorOffloads)[0]
        $ok.Result | Should -Be 'Passed' -Because $ok.Message
        $ok.Target | Should -Be "$LabName $Iface"
        Invoke-LvsLabCommand -Lab $LabName -Node director -Command "ethtool -K $Iface gro on" | Out-Null
        try {
            $r = (Get-ProdCheck DirectorOffloads)[0]
            Assert-Failed $r "$Iface`: gro on; receive coalescing" "ethtool -K $Iface gro off"
            Assert-Failed (Test-LvsCluster -Lab $LabName -Include DirectorOffloads)[0] "director \(.*\) $Iface`: gro on" "Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'ethtool -K $Iface gro off'"
        } finally {
            Invoke-LvsLabCommand -Lab $LabName -Node director -Command "ethtool -K $Iface gro off" | Out-Null
        }
        (Get-ProdCheck DirectorOffloads)[0].Result | Should -Be 'Passed'
    }
}

Describe 'VipArpOwner' {
    It 'passes probed with arping from the client over SSH, naming the director''s MAC' {
        $r = (Get-ProdCheck VipArpOwner)[0]
        $r.Result | Should -Be 'Passed' -Because $r.Message
        $r.Message | Should -Match "Only the director, $([regex]::Escape($Lab.Director.MacAddress))"
        $r.Message | Should -Match "probed from $([regex]::Escape("$($Lab.Client.Address)")) on"
    }

    It 'fails when a real server answers ARP for the VIP, naming it (from the client, from the director, in the lab), and passes after Set-LvsRealServerHidden' {
        $rs1Mac = ($Lab.RealServers | Where-Object Name -eq rs1).MacAddress
        Invoke-LvsLabCommand -Lab $LabName -Node rs1 -Command 'sysctl -qw net.ipv4.conf.all.arp_ignore=0 net.ipv4.conf.lo.arp_ignore=0 net.ipv4.conf.eth0.arp_ignore=0 net.ipv4.conf.all.arp_announce=0 net.ipv4.conf.eth0.arp_announce=0' | Out-Null
        try {
            Assert-Failed (Get-ProdCheck VipArpOwner)[0] "$([regex]::Escape("$Rs1")) \($([regex]::Escape($rs1Mac))\) answer ARP" "Set-LvsRealServerHidden -ComputerName $([regex]::Escape("$Rs1"))"
            # No client: lvsd's arp-probe from the director's own namespace sees the other answerer.
            Assert-Failed (Get-ProdCheck VipArpOwner -NoClient)[0] "$([regex]::Escape("$Rs1")) \($([regex]::Escape($rs1Mac))\) answer ARP .*probed from .*netns" 'Set-LvsRealServerHidden -ComputerName'
            Assert-Failed (Test-LvsCluster -Lab $LabName -Include VipArpOwner)[0] "rs1 \($([regex]::Escape($rs1Mac))\)" "Set-LvsRealServerHidden -Lab $LabName -Node rs1"
        } finally {
            Set-LvsRealServerHidden -Lab $LabName -Node rs1
        }
        (Get-ProdCheck VipArpOwner)[0].Result | Should -Be 'Passed'
        (Get-ProdCheck VipArpOwner -NoClient)[0].Result | Should -Be 'Passed'
    }
}

Describe 'SshHostKeysKnown' {
    It 'passes when every host presents the key known_hosts lists' {
        $r = Get-ProdCheck SshHostKeysKnown
        $r.Count | Should -Be 3
        $r.Result | Select-Object -Unique | Should -Be 'Passed'
        ($r.Target -join ',') | Should -Match ([regex]::Escape("$($Lab.Client.Address)"))
    }

    It 'fails for a host missing from known_hosts, with the fingerprint it presented, and for a changed key, naming each host' {
        $lines = Get-Content $Lab.KnownHostsFile
        $clientBlob = ($lines | Where-Object { $_ -like "$($Lab.Client.Address) *" }).Split(' ')[2]
        $broken = Join-Path $TestDrive 'known_hosts.broken'
        $lines | Where-Object { $_ -notlike "$Rs1 *" } | ForEach-Object {
            if ($_ -like "$Rs2 *") { $f = $_.Split(' '); "$($f[0]) $($f[1]) $clientBlob" } else { $_ }
        } | Set-Content $broken
        $rs1Fp = ((& ssh-keygen -lf (Join-Path $Lab.Directory 'rs1/ssh_host_ed25519_key.pub')) -split ' ')[1]
        $r = Get-ProdCheck SshHostKeysKnown -KnownHosts $broken
        $unknown = $r | Where-Object Target -eq "$Rs1"
        Assert-Failed $unknown "presented ssh-ed25519 $([regex]::Escape($rs1Fp)), which .* does not list" 'ssh-keyscan -t ssh-ed25519'
        $unknown.Remedy | Should -Match "Verify $([regex]::Escape($rs1Fp)) out of band"
        Assert-Failed ($r | Where-Object Target -eq "$Rs2") "host key of $([regex]::Escape("$Rs2")) has CHANGED" 'ssh-keygen -R'
        ($r | Where-Object Target -eq "$($Lab.Client.Address)").Result | Should -Be 'Passed'
        # Nothing was accepted: the file is as the test wrote it.
        (Get-Content $broken) -match "^$([regex]::Escape("$Rs1")) " | Should -BeNullOrEmpty
        (Get-ProdCheck SshHostKeysKnown).Result | Select-Object -Unique | Should -Be 'Passed'
    }
}
