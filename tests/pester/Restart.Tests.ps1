#Requires -Version 7.4
# Established sessions across a restart of lvsd, end to end with real packets: a lab (client, director, two real
# servers running nginx and the telnet-like service), lvsd forwarding by direct routing. Sessions are long-lived TCP
# connections from the client's namespace (bash /dev/tcp: a writer fed from a FIFO, a reader appending to a file);
# lvsd is killed with SIGKILL and started again with Start-LvsDirector, and each session must go on: the next line
# is echoed by the same real server's telnet service, the next request on a keep-alive HTTP connection is answered.
# A session opened after the last snapshot (the snapshot file put back as it was before the session opened) goes on
# where the scheduler places it again (sh), and gets a RST where it cannot (rr), instead of hanging.
# bench/restart-continuity.ps1 runs the same rounds on its own and records the figures of docs/RELIABILITY.md.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1')
    $root = Get-LvsTestRoot
    . (Join-Path $root 'bench/restart-continuity.ps1')

    $script:TestLab = New-LvsTestLab -NamePrefix pr -Network 10.239 -RealServerCount 2 -StartDirector -HideRealServers
    $script:LabName = $TestLab.Name; $script:LabInfo = $TestLab.Lab
    $script:Vip = $TestLab.VirtualAddress
    $script:Ctx = New-RestartContext -LabName $LabName -Vip $Vip -Dir (Join-Path $LabInfo.Directory 'restart-tests')
    # telnet: sh (a flow the table forgot is placed again); www: rr (it cannot be: RST).
    New-LvsService -Director $LabName -VirtualAddress $Vip -Port 23 -Scheduler sh | Out-Null
    New-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler rr | Out-Null
    foreach ($a in $TestLab.RealServers.Values) {
        Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 23 -RealAddress $a | Out-Null
        Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $a | Out-Null
    }
}

AfterAll {
    # LVSPS_DEBUG_RESTART=1: the sessions' files, lvsd's log and the client's sockets, for a failure's cause.
    if ($env:LVSPS_DEBUG_RESTART -and $script:Ctx) {
        Get-ChildItem $script:Ctx.Dir | ForEach-Object { Write-Host "$($_.Name): $(if ($_.Length -lt 2000 -and $_.Extension -ne '.in') { Get-Content -Raw $_.FullName })" }
        Get-Content (Get-LvsDirector -Name $script:LabName).LogPath | Select-Object -Last 30 | Write-Host
        Invoke-LvsLabCommand -Lab $script:LabName -Node client -Command 'ss -tn' | Write-Host
    }
    if ($script:Ctx) { Stop-RestartSessions $script:Ctx }
    Remove-LvsTestLab -Name $script:LabName
}

Describe 'Established sessions across SIGKILL and Start-LvsDirector' {
    It 'a telnet session and an HTTP keep-alive connection go on, three restarts in a row' {
        $telnet = Open-RestartSession $Ctx -Name telnet -Port 23
        $http = Open-RestartSession $Ctx -Name http -Port 80
        Send-RestartLine $Ctx $telnet 'before\r\n'
        Send-RestartLine $Ctx $http (Get-RestartHttpRequest)
        Wait-RestartOutput $Ctx $telnet 'before' | Should -BeTrue
        Wait-RestartOutput $Ctx $http 'real server #' | Should -BeTrue
        $server = Get-RestartTelnetServer $Ctx $telnet
        $server | Should -Match '^rs\d$'
        Start-Sleep -Milliseconds 1500   # a snapshot (once a second) holds both sessions

        foreach ($round in 1..3) {
            $r = Restart-LvsdHard $Ctx
            $r.Restored | Should -BeGreaterOrEqual 2
            Send-RestartLine $Ctx $telnet "after$round\r\n"
            Send-RestartLine $Ctx $http (Get-RestartHttpRequest)
            Wait-RestartOutput $Ctx $telnet "after$round" | Should -BeTrue -Because "the telnet session goes on after restart $round"
            Wait-RestartOutput $Ctx $http 'real server #' -Count ($round + 1) | Should -BeTrue -Because "the keep-alive connection is answered after restart $round"
            Test-RestartSessionAlive $Ctx $telnet | Should -BeTrue
            Test-RestartSessionAlive $Ctx $http | Should -BeTrue
            Start-Sleep -Milliseconds 1200
        }
        # The same real server's prompt all along, one TCP connection each.
        (Get-RestartTelnetServer $Ctx $telnet) | Should -Be $server
        (Get-LvsDirector -Name $LabName).ResetsSent | Should -Be 0
    }

    It 'a session opened after the last snapshot goes on under sh and gets a RST under rr' {
        $before = Save-RestartSnapshot $Ctx
        $telnet = Open-RestartSession $Ctx -Name late-telnet -Port 23
        $http = Open-RestartSession $Ctx -Name late-http -Port 80
        Send-RestartLine $Ctx $telnet 'hello\r\n'
        Send-RestartLine $Ctx $http (Get-RestartHttpRequest)
        Wait-RestartOutput $Ctx $telnet 'hello' | Should -BeTrue
        Wait-RestartOutput $Ctx $http 'real server #' | Should -BeTrue
        Start-Sleep -Milliseconds 1500   # lvsd has written a snapshot with both sessions in it

        Restart-LvsdHard $Ctx -Snapshot $before | Out-Null   # ... which is replaced by the older one

        Send-RestartLine $Ctx $telnet 'again\r\n'
        Wait-RestartOutput $Ctx $telnet 'again' | Should -BeTrue -Because 'sh places the forgotten flow on the same real server'
        Send-RestartLine $Ctx $http (Get-RestartHttpRequest)
        Wait-RestartReset $Ctx $http | Should -BeTrue -Because 'rr cannot place it again: the client gets a RST, not a hang'
        $d = Get-LvsDirector -Name $LabName
        $d.ResetsSent | Should -BeGreaterOrEqual 1
        (Get-Content $d.LogPath -Raw) | Should -Match 'restart: RST to '
    }
}
