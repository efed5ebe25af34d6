#Requires -Version 7.4
# The mixed pair through the cmdlets: director1 the LvsPS engine (lvsd), director2 Linux IPVS (a QEMU guest where
# this host has no ip_vs), registered as <lab>-director2. Start-LvsDirector -Lab starts only the engine; the table
# cmdlets manage director2's kernel IPVS with -Director <lab>-director2, also from another pwsh process; once
# director2 holds the VIP (as keepalived gives it to a VRRP master) the client is served through it; Remove-LvsLab
# stops both directors and the guest.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1') -LabParameters @{ NamePrefix = 'pm'; Network = '10.214'; RealServerCount = 2; DirectorCount = 2; DirectorKind = 'Engine', 'Kernel'; HideRealServers = $true }
    $script:D1, $script:D2 = $Lab.Directors
    $script:Name1, $script:Name2 = $TestLab.Directors
    $script:Module = Join-Path (Get-LvsTestRoot) 'LvsPS.psd1'
}

AfterAll {
    if ($script:Name1) { Stop-LvsDirector -Name $script:Name1 -ErrorAction SilentlyContinue -Confirm:$false }
    Remove-LvsTestLab -Name $script:LabName
}

Describe 'A mixed pair: director1 Engine, director2 Kernel' {
    It 'registers director2 as LAB-director2, a kernel director; no director is named after the lab' {
        $Lab.Directors.DirectorKind | Should -Be @('Engine', 'Kernel')
        $Name2 | Should -Be "$LabName-director2"
        $k = Get-LvsDirector -Name $Name2
        $k.Name | Should -Be $Name2
        $k.Backend | Should -Be 'KernelIpvs'
        $k.ComputerName | Should -Be $D2.Address.ToString()
        $k.HostKeyFingerprint | Should -Match '^SHA256:'
        if ($D2.Host -eq 'VirtualMachine') { $k.NetworkNamespace | Should -Be $Lab.Client.Namespace }
        Get-LvsDirector -Name $LabName -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        (Invoke-LvsLabCommand -Lab $LabName -Node director2 -Command 'ipvsadm --version') | Should -Match 'ipvsadm v1\.31'
        (Invoke-LvsLabCommand -Lab $LabName -Node director2 -Command 'ip -4 -o addr show dev eth0') -join "`n" | Should -Not -Match ([regex]::Escape("$Vip/"))
    }

    It 'starts only the engine with Start-LvsDirector -Lab, and refuses -Node director2' {
        $s = @(Start-LvsDirector -Lab $LabName)
        $s.Count | Should -Be 1
        $s[0].Name | Should -Be $Name1
        $s[0].NetworkNamespace | Should -Be $D1.Namespace
        { Start-LvsDirector -Lab $LabName -Node director2 -ErrorAction Stop } | Should -Throw -ErrorId 'NotSupportedByDirector,LvsPS.Commands.StartLvsDirectorCommand'
    }

    It 'manages director2''s kernel IPVS with -Director LAB-director2, and serves the VIP once director2 holds it' {
        New-LvsService -Director $Name2 -VirtualAddress $Vip -Port 80 -Scheduler rr | Out-Null
        foreach ($rs in $Lab.RealServers) { Add-LvsRealServer -Director $Name2 -VirtualAddress $Vip -Port 80 -RealAddress $rs.Address -Forwarding Route }
        (Invoke-LvsLabCommand -Lab $LabName -Node director2 -Command 'ipvsadm -L -n') | Should -Contain "TCP  $($Vip):80 rr"
        # the engine director1 has no service, so it does not answer for the VIP; director2 takes it as a VRRP master would
        Invoke-LvsLabCommand -Lab $LabName -Node director2 -Command "ip addr add $Vip/32 dev eth0 label eth0:101 && arping -c 1 -U -I eth0 $Vip >/dev/null 2>&1; true" | Out-Null
        try {
            Invoke-LvsLabCommand -Lab $LabName -Node client -Command "ip neigh flush to $Vip dev eth0" | Out-Null
            $servers = Invoke-LvsTestRequest -Count 4 -AsServerName
            ($servers | Where-Object { $_ -like 'none*' }) | Should -BeNullOrEmpty
            ($servers | Sort-Object -Unique) | Should -Be @('rs1', 'rs2')
            (Invoke-LvsLabCommand -Lab $LabName -Node client -Command "ip neigh show $Vip dev eth0") -join '' | Should -Match ([regex]::Escape($D2.MacAddress))
            $svc = Get-LvsService -Director $Name2 -VirtualAddress $Vip -Port 80
            ($svc.RealServers | Measure-Object -Property InactiveConnections -Sum).Sum + ($svc.RealServers | Measure-Object -Property ActiveConnections -Sum).Sum | Should -Be 4
        } finally {
            Invoke-LvsLabCommand -Lab $LabName -Node director2 -Command "ip addr del $Vip/32 dev eth0" | Out-Null
        }
    }

    It 'is found again as LAB-director2 from another pwsh process (reconnects over SSH)' {
        $out = & dotnet pwsh -NoLogo -NoProfile -Command "Import-Module '$Module'; (Get-LvsService -Director '$Name2' -AsText) -join [char]10" 2>&1
        $LASTEXITCODE | Should -Be 0
        ($out -join "`n") | Should -Match "TCP  $([regex]::Escape($Vip.ToString())):80 rr"
    }

    It 'is removed whole by Remove-LvsLab: both directors, the guest, the namespaces' {
        $qemuPid = if ($D2.Host -eq 'VirtualMachine') { [int](Get-Content (Join-Path $Lab.Directory 'director2/qemu.pid')) } else { 0 }
        $lvsdPid = (Get-LvsDirector -Name $Name1).ProcessId
        $lvsdPid | Should -BeGreaterThan 0
        Remove-LvsLab -Name $LabName -Confirm:$false
        $script:LabName = $null
        # gone, or a zombie nobody has reaped yet (QEMU daemonized: its parent is init)
        $alive = { param([int]$p) $stat = Get-Content "/proc/$p/stat" -Raw -ErrorAction SilentlyContinue; $stat -and $stat.Substring($stat.LastIndexOf(')') + 2, 1) -ne 'Z' }
        & $alive $lvsdPid | Should -BeFalse
        if ($qemuPid) { & $alive $qemuPid | Should -BeFalse }
        (ip netns list) -join "`n" | Should -Not -Match ([regex]::Escape("lvs-$($TestLab.Name)-"))
        Get-LvsDirector -Name $Name2 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-LvsDirector -Name $Name1 -ErrorAction SilentlyContinue | Where-Object Running | Should -BeNullOrEmpty
    }
}
