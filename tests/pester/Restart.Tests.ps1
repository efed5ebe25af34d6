#Requires -Version 7.4
# Established sessions across a restart of lvsd, end to end with real packets: a lab (client, director, two real
# servers running nginx and the telnet-like service), lvsd forwarding by direct routing. Sessions are long-lived TCP
# connections from the client's namespace (bash /dev/tcp: a writer fed from a FIFO, a reader appending to a file);
# lvsd is killed with SIGKILL and started again with Start-LvsDirector, and each session must go on: the next line
# is echoed by the same real server's telnet service, the next request on a keep-alive HTTP connection is answered.
# A session opened after the last snapshot (the snapshot file put back as it was before the session opened) goes on
# where the scheduler places it again (sh), and gets a RST where it cannot (rr), instead of hanging.
# Without its table (stopped, the snapshot removed: no restart grace, as a new master without sync): on mh the
# session goes on (its next segment, a PSH/ACK, is scheduled by the same Maglev table to the same real server); on rr
# it stalls (dropped, as the kernel drops a non-SYN of an unknown flow without sloppy_tcp: no answer, no RST), until
# Set-LvsDefense -SloppyTcp makes rr schedule it too.
# bench/restart-continuity.ps1 runs the same rounds on its own and records the figures of docs/RELIABILITY.md.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1')
    $root = Get-LvsTestRoot
    . (Join-Path $root 'bench/restart-continuity.ps1')

    $script:TestLab = New-LvsTestLab -NamePrefix pr -Network 10.239 -RealServerCount 2 -StartDirector -HideRealServers
    $script:LabName = $TestLab.Name
    # telnet: sh (a flow the table forgot is placed again); www: rr (it cannot be: RST).
    $script:Ctx = Initialize-RestartServices $TestLab -Telnet sh -Http rr -Folder 'restart-tests'

    function script:Restart-LvsdWithoutTable {
        # A clean stop (which writes a last snapshot), the snapshot removed, a start: an empty table, nothing restored.
        $conns = Get-RestartSnapshotPath $Ctx
        Stop-LvsDirector -Name $LabName -Confirm:$false | Out-Null
        Remove-Item -Force -ErrorAction SilentlyContinue $conns, "$conns.tmp"
        Test-Path $conns | Should -BeFalse
        Start-LvsDirector -Lab $LabName | Out-Null
        $d = Get-LvsDirector -Name $LabName
        $d.ConnectionsRestored | Should -Be 0
        $d.ConnectionCount | Should -Be 0
    }
}

AfterAll {
    Complete-RestartSuite $script:Ctx
    Remove-LvsTestLab -Name $script:LabName
}

Describe 'Established sessions across SIGKILL and Start-LvsDirector' {
    It 'a telnet session and an HTTP keep-alive connection go on, three restarts in a row' {
        $pair = Open-RestartSessionPair $Ctx
        $pair.Opened | Should -BeTrue
        $telnet = $pair.Telnet; $http = $pair.Http; $server = $pair.Server
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

Describe 'Established sessions on a director without their connection entries' {
    It 'an mh session goes on to the same real server; an rr session stalls until sloppy_tcp places it' {
        # telnet: now mh (its Maglev table places a flow it never saw); www: rr (it cannot).
        Set-LvsService -Director $LabName -VirtualAddress $TestLab.VirtualAddress -Port 23 -Scheduler mh -Confirm:$false
        $pair = Open-RestartSessionPair $Ctx -Prefix 'mh-'
        $pair.Opened | Should -BeTrue
        $telnet = $pair.Telnet; $http = $pair.Http; $server = $pair.Server
        $server | Should -Match '^rs\d$'

        Restart-LvsdWithoutTable

        # mh: the next segment (PSH/ACK, no SYN) is scheduled by the Maglev table, to the same real server.
        Send-RestartLine $Ctx $telnet 'after\r\n'
        Wait-RestartOutput $Ctx $telnet 'after' | Should -BeTrue -Because 'the Maglev table places the flow where it was'
        Send-RestartLine $Ctx $telnet 'again\r\n'
        Wait-RestartOutput $Ctx $telnet 'again' | Should -BeTrue
        Get-RestartTelnetServer $Ctx $telnet | Should -Be $server
        Test-RestartSessionAlive $Ctx $telnet | Should -BeTrue
        $entry = @(Get-LvsConnection -Director $LabName | Where-Object { $_.Port -eq 23 })
        $entry.Count | Should -Be 1 -Because 'the only entry after the restart: the flow the Maglev table placed'
        "$($entry[0].State)" | Should -Be 'Established'
        "$($entry[0].RealAddress)" | Should -Be "$($TestLab.RealServers[$server])"

        # rr: the request is dropped, silently (no restart grace without a snapshot): the client waits and retransmits.
        Send-RestartLine $Ctx $http (Get-RestartHttpRequest)
        Wait-RestartOutput $Ctx $http 'real server #' -Count 2 -TimeoutSec 4 | Should -BeFalse -Because 'rr cannot place a flow it did not see open'
        Test-RestartSessionAlive $Ctx $http | Should -BeTrue -Because 'nothing reset it: it stalls'
        $d = Get-LvsDirector -Name $LabName
        $d.ResetsSent | Should -Be 0
        $d.SloppyConnections | Should -Be 1
        @(Get-LvsConnection -Director $LabName | Where-Object { $_.Port -eq 80 }).Count | Should -Be 0

        # sloppy_tcp on: the next retransmission is scheduled by rr, like a SYN (to whichever real server rr's turn
        # names: the one that holds the socket answers, the other resets), so the client stops waiting.
        Set-LvsDefense -Director $LabName -SloppyTcp -Confirm:$false
        try {
            (Get-LvsDefense -Director $LabName).SloppyTcp | Should -BeTrue
            $deadline = [DateTime]::UtcNow.AddSeconds(15)
            while ((Get-RestartOutputCount $http 'real server #') -lt 2 -and (Test-RestartSessionAlive $Ctx $http) -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 50
            }
            ((Get-RestartOutputCount $http 'real server #') -ge 2 -or -not (Test-RestartSessionAlive $Ctx $http)) |
                Should -BeTrue -Because 'with sloppy_tcp a retransmission reaches a real server (answered or reset)'
            # (at least: an idle keep-alive connection of the earlier tests that nginx closes now is scheduled too)
            (Get-LvsDirector -Name $LabName).SloppyConnections | Should -BeGreaterOrEqual 2
        } finally {
            Set-LvsDefense -Director $LabName -SloppyTcp:$false -Confirm:$false
        }
    }
}
