#Requires -Version 7.4
# Watch-LvsTraffic against a real engine director (DR) in a lab: a bounded curl loop from the lab's client through the
# VIP while the watch runs; the records name the lab's client, the VIP, a real server of the lab and that real
# server's MAC as the rewritten destination, and the filter keeps only what it selects. Bounded: 15 requests, 0.2 s
# apart, each watch at most -Count records or 20 s; no traffic leaves the lab.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1') -LabParameters @{ NamePrefix = 'watchtr'; Network = '10.164'; RealServerCount = 2; StartDirector = $true; HideRealServers = $true }
    New-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler rr | Out-Null
    foreach ($rs in $Lab.RealServers) { Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $rs.Address -Weight 1 | Out-Null }
    $script:MacOf = Get-LvsTestMacMap -Lab $Lab
    # Warm up: the director has resolved the real servers' MACs before the watches.
    Invoke-LvsTestRequest -Count 2 | Out-Null
}

AfterAll { Remove-LvsTestLab -Name $script:LabName }

Describe 'Watch-LvsTraffic on an engine director (DR)' {
    It 'shows the lab client, the VIP, a real server of the lab and its MAC as the rewritten destination' {
        $records = Invoke-LvsTestWatchUnderLoad -Lab $Lab -VirtualAddress $Vip -Watch @{ Director = $LabName; VirtualAddress = $Vip; Port = 80; Count = 20; Duration = 20 }
        $records.Count | Should -Be 20
        # rr over several connections: both real servers are in the view, and a connection starts with its SYN.
        Assert-LvsTestDrTraceRecord -Record $records -Lab $Lab -VirtualAddress $Vip
        ($records | Where-Object TcpFlags -eq 'S' | Select-Object -First 1).State | Should -Be 'SynRecv'
    }

    It 'keeps only the real server asked for (-RealAddress rs2)' {
        $rs2 = ($Lab.RealServers | Where-Object Name -eq 'rs2').Address
        $records = Invoke-LvsTestWatchUnderLoad -Lab $Lab -VirtualAddress $Vip -Watch @{ Director = $LabName; RealAddress = $rs2; Count = 10; Duration = 20 }
        $records.Count | Should -Be 10
        $records | ForEach-Object { $_.RealAddress | Should -Be $rs2; $_.DestinationMac | Should -Be $MacOf[$rs2.ToString()] }
    }

    It 'ends at -Duration when nothing matches, and its table fits 80 columns' {
        $start = Get-Date
        $none = @(Watch-LvsTraffic -Director $LabName -Port 8080 -Count 5 -Duration 2)
        $none.Count | Should -Be 0
        ((Get-Date) - $start).TotalSeconds | Should -BeLessThan 10
        $curl = Start-LvsTestCurlLoop -Lab $Lab -VirtualAddress $Vip
        try { $records = @(Watch-LvsTraffic -Director $LabName -Count 3 -Duration 20) }
        finally { $curl | Wait-Process -Timeout 30 -ErrorAction SilentlyContinue }
        $lines = ($records | Format-Table | Out-String -Width 200) -split "`n" | Where-Object { $_.Trim() }
        $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
        $lines[0] | Should -Match 'Client\s+Virtual\s+RealServer'
    }
}
