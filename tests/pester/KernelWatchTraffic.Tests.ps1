#Requires -Version 7.4
# Watch-LvsTraffic against a kernel director (a real Linux kernel's IPVS in QEMU, New-LvsTestLab -DirectorKind
# Kernel): the trace is tcpdump over the director's SSH session. A bounded curl loop from the lab's client through the
# VIP while the watch runs; the records name the lab's client, the VIP, a real server of the lab and that real
# server's MAC as the rewritten destination (DR); the filter by real server keeps only it; no tcpdump is left running
# on the guest afterwards. Bounded: 15 requests, 0.2 s apart, each watch at most -Count records or 20 s.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1') -LabParameters @{ NamePrefix = 'kt'; Network = '10.171'; DirectorKind = 'Kernel' }
    New-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler rr | Out-Null
    foreach ($rs in $Lab.RealServers) { Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $rs.Address -Forwarding Route | Out-Null }
    Set-LvsRealServerHidden -Lab $LabName -Confirm:$false
    $script:MacOf = Get-LvsTestMacMap -Lab $Lab
    Invoke-LvsTestRequest -Count 2 | Out-Null

    function script:Get-GuestTcpdump { @(Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'ps -o pid,args | grep [t]cpdump; ls /tmp | grep lvsps-trace; true') | Where-Object { "$_".Trim() } }
}

AfterAll { Remove-LvsTestLab -Name $script:LabName }

Describe 'Watch-LvsTraffic on a kernel director (tcpdump over SSH)' {
    It 'shows the lab client, the VIP, a real server of the lab and its MAC; nothing is left running' {
        $records = Invoke-LvsTestWatchUnderLoad -Lab $Lab -VirtualAddress $Vip -Watch @{ Director = $LabName; VirtualAddress = $Vip; Port = 80; Count = 20; Duration = 20 }
        $records.Count | Should -Be 20
        # rr over several connections: both real servers are in the view, and a connection starts with its SYN.
        Assert-LvsTestDrTraceRecord -Record $records -Lab $Lab -VirtualAddress $Vip
        Get-GuestTcpdump | Should -BeNullOrEmpty
    }

    It 'keeps only the real server asked for (-RealAddress rs2), and ends at -Duration' {
        $rs2 = ($Lab.RealServers | Where-Object Name -eq 'rs2').Address
        $records = Invoke-LvsTestWatchUnderLoad -Lab $Lab -VirtualAddress $Vip -Watch @{ Director = $LabName; RealAddress = $rs2; Count = 10; Duration = 20 }
        $records.Count | Should -Be 10
        $records | ForEach-Object { $_.RealAddress | Should -Be $rs2; $_.DestinationMac | Should -Be $MacOf[$rs2.ToString()] }
        $start = Get-Date
        @(Watch-LvsTraffic -Director $LabName -Port 8080 -Count 5 -Duration 2).Count | Should -Be 0
        ((Get-Date) - $start).TotalSeconds | Should -BeLessThan 10
        Get-GuestTcpdump | Should -BeNullOrEmpty
    }
}
