#Requires -Version 7.4
# lvsd's health checks end to end, with real packets: a lab (client, director, three real servers running nginx and
# a telnet-like service), the LvsPS director forwarding by direct routing, HTTP_GET checks added from the pipeline,
# nginx stopped and started on a real server by its own pid file while a bounded client loop runs through the VIP.
# Detection and recovery are measured from the host clock (the client loop's $EPOCHREALTIME, lvsd's LastChange);
# bench/health-detect.ps1 holds the cycle (dot-sourced here) and, run on its own, records the figures of
# docs/PERFORMANCE.md.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1')
    $root = Get-LvsTestRoot
    # The measurement cycle and its helpers (Stop-/Start-HealthNginx, Wait-HealthState, Invoke-HealthCycle ...).
    . (Join-Path $root 'bench/health-detect.ps1')
    $script:BenchScript = Join-Path $root 'bench/health-detect.ps1'

    $script:TestLab = New-LvsTestLab -NamePrefix ph -Network 10.241 -RealServerCount 3 -StartDirector -HideRealServers
    $script:LabName = $TestLab.Name; $script:Octet = $TestLab.Octet; $script:LabInfo = $TestLab.Lab
    $script:Vip = $TestLab.VirtualAddress; $script:Rs = $TestLab.RealServers
    $script:LabDir = $LabInfo.Directory
    $script:Work = Join-Path $LabDir 'health-tests'
    New-Item -ItemType Directory -Force -Path $Work | Out-Null
    $script:DirectorLog = (Get-LvsDirector -Name $LabName).LogPath

    # www: rr over rs1 and rs2, each with keepalived's HTTP_GET of /test.html, 1 s interval, 1 s timeout, no retry.
    # telnet: rr over rs1 and rs2, no checks (for the drain).
    New-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler rr | Out-Null
    New-LvsService -Director $LabName -VirtualAddress $Vip -Port 23 -Scheduler rr | Out-Null
    foreach ($n in 'rs1', 'rs2') {
        Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs[$n] -Forwarding Route -Weight 1 | Out-Null
        Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 23 -RealAddress $Rs[$n] -Forwarding Route -Weight 1 | Out-Null
    }
    Get-LvsRealServer -Director $LabName -Port 80 |
        Add-LvsHealthCheck -Type Http -Path /test.html -StatusCode 200 -IntervalSec 1 -TimeoutSec 1 -Retry 0

    function Get-NodeDir([string]$NodeName) { Join-Path $LabDir $NodeName }

    function Stop-LabNginx([string]$NodeName) { Stop-HealthNginx -LabName $LabName -NodeName $NodeName -Dir (Get-NodeDir $NodeName) }

    function Start-LabNginx([string]$NodeName) { Start-HealthNginx -LabName $LabName -NodeName $NodeName -Dir (Get-NodeDir $NodeName) -Address $Rs[$NodeName] }

    function Wait-Health([string]$NodeName, [string]$State, [double]$Since = 0, [double]$TimeoutSec = 10) {
        Wait-HealthState -LabName $LabName -Vip $Vip -Address $Rs[$NodeName] -State $State -Since $Since -TimeoutSec $TimeoutSec
    }

    function Wait-AllUp([double]$TimeoutSec = 10) {
        # Every checked real server of www Up, and checked at least once.
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
        while ($true) {
            $h = @(Get-LvsHealth -Director $LabName -VirtualAddress $Vip -Port 80 | Where-Object Checks -like 'HTTP_GET*')
            if ($h.Count -eq 2 -and -not ($h | Where-Object { "$($_.State)" -ne 'Up' -or -not $_.LastCheck })) { return $h }
            if ([DateTime]::UtcNow -ge $deadline) { throw "www's real servers are not all Up: $($h | ForEach-Object { "$($_.RealAddress) $($_.State) $($_.LastResult)" })" }
            Start-Sleep -Milliseconds 100
        }
    }

    function Test-Marker([string]$Path) {
        # A marker file written by a command lvsd ran, looked at from inside the director's namespace.
        (Invoke-LvsLabCommand -Lab $LabName -Node director -Command "if [ -e '$Path' ]; then echo yes; else echo no; fi") -eq 'yes'
    }

    function Wait-Marker([string]$Path, [double]$TimeoutSec = 5) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
        while (-not (Test-Marker $Path)) {
            if ([DateTime]::UtcNow -ge $deadline) { return $false }
            Start-Sleep -Milliseconds 100
        }
        $true
    }

    function Get-TelnetServer {
        # One short session to VIP:23: the prompt names the real server that took it.
        $out = (Invoke-LvsLabCommand -Lab $LabName -Node client -Command "echo probe | timeout 4 socat -t 1 - TCP:$($Vip):23") -join "`n"
        if ($out -match 'guest@(rs\d+)') { $Matches[1] } else { "none:[$out]" }
    }

    function Get-ConfigurationSnapshot {
        # Everything configured, as saved and as exported: the ipvsadm rules, keepalived.conf (checks, quorum, sorry
        # server), the checks as listed, and lvsd's state file.
        $state = Join-Path '/var/lib/lvsps/directors' "$LabName.json"
        [pscustomobject]@{
            Rules      = Export-LvsConfiguration -Director $LabName -Format IpvsadmRules -IncludeThresholds
            Keepalived = Export-LvsConfiguration -Director $LabName -Format Keepalived
            Checks     = Get-LvsHealthCheck -Director $LabName | Select-Object * -ExcludeProperty State | ConvertTo-Json -Depth 5
            StateFile  = if (Test-Path $state) { Get-Content -Raw $state } else { '' }
        }
    }

    Wait-AllUp | Out-Null
}

AfterAll {
    Remove-LvsTestLab -Name $script:LabName
}

Describe 'Health checks added from the pipeline' {
    It 'gives each real server of www the HTTP_GET check with the values given, and both are Up' {
        $checks = @(Get-LvsHealthCheck -Director $LabName -Port 80)
        $checks.Count | Should -Be 2
        foreach ($c in $checks) {
            "$($c.Type)" | Should -Be 'Http'
            $c.KeepalivedName | Should -Be 'HTTP_GET'
            $c.Path | Should -Be @('/test.html')
            $c.StatusCode | Should -Be @('200')
            $c.IntervalSec | Should -Be 1
            $c.TimeoutSec | Should -Be 1
            $c.Retry | Should -Be 0
        }
        ($checks.RealAddress | ForEach-Object ToString | Sort-Object) | Should -Be (@($Rs.rs1, $Rs.rs2) | ForEach-Object ToString | Sort-Object)
        (Get-LvsRealServer -Director $LabName -Port 80) | ForEach-Object { "$($_.State)" | Should -Be 'Up' }
        (Get-LvsHealthCheck -Director $LabName -Port 23) | Should -BeNullOrEmpty
        # The ipvsadm text stays exactly ipvsadm's: no state column.
        (Get-LvsService -Director $LabName -AsText) -split "`n" | Should -Contain ('  -> {0,-28} Route   1      0          0         ' -f "$($Rs.rs1):23")
    }
}

Describe 'nginx stopped on rs1 under a client loop (HTTP_GET, interval 1 s, timeout 1 s, retry 0)' {
    BeforeAll {
        Wait-AllUp | Out-Null
        $script:Cycle = Invoke-HealthCycle -LabName $LabName -Vip $Vip -NodeName rs1 -Address $Rs.rs1 -Dir (Get-NodeDir rs1) -WorkDir $Work -Index 0 -IntervalMs 100
        Write-Host ("    one cycle: detected in {0:0.000} s, back in {1:0.000} s, {2} of {3} requests failed" -f $Cycle.DetectSec, $Cycle.RecoverSec, $Cycle.FailedRequests, $Cycle.Requests)
    }

    It 'detects the failure within 3 s (delay_loop + connect_timeout x (retry + 1) = 2 s, plus margin)' {
        $Cycle.DetectSec | Should -BeGreaterThan 0
        $Cycle.DetectSec | Should -BeLessOrEqual 3
        $Cycle.DownReason | Should -Match 'HTTP_GET'
        $Cycle.DownReason | Should -Match ([regex]::Escape("$($Rs.rs1):80"))
    }

    It 'sends no new connection to rs1 after the detection, and no request fails after it' {
        $Cycle.FailedAfterDetection | Should -Be 0
        $Cycle.ToStoppedAfterDetection | Should -Be 0
        $Cycle.ConnectionsWhileOut | Should -Be 0
        $Cycle.ServedWhileOut | Should -Be @('rs2')
        # The loop really ran through the failure: about one request per 100 ms.
        $Cycle.Requests | Should -BeGreaterThan 15
    }

    It 'takes rs1 out of the table while it is down, as keepalived does (without inhibit_on_failure)' {
        $lines = $Cycle.TableWhileOut -split "`n"
        ($lines | Where-Object { $_ -like "  -> $($Rs.rs1):80 *" }) | Should -BeNullOrEmpty
        ($lines | Where-Object { $_ -like "  -> $($Rs.rs2):80 *" }) | Should -Not -BeNullOrEmpty
        # The decision is logged with its reason, in keepalived's words.
        $log = Get-Content -Raw $DirectorLog
        $log | Should -Match ([regex]::Escape("Removing service [$($Rs.rs1)]:tcp:80 of VS [$Vip]:tcp:80"))
        $log | Should -Match ([regex]::Escape("Adding service [$($Rs.rs1)]:tcp:80 of VS [$Vip]:tcp:80"))
    }

    It 'has rs1 back within two intervals of the restart, taking new connections again' {
        $Cycle.RecoverSec | Should -BeGreaterThan 0
        $Cycle.RecoverSec | Should -BeLessOrEqual 2
        $Cycle.ServedByStoppedAfterUp | Should -BeGreaterThan 0
        $h = Get-LvsHealth -Director $LabName -Port 80 -RealAddress $Rs.rs1
        "$($h.State)" | Should -Be 'Up'
        $h.Weight | Should -Be 1
        $h.InTable | Should -BeTrue
        $states = @($h.History | ForEach-Object { "$($_.State)" })
        $states | Should -Contain 'Down'
        $states[-1] | Should -Be 'Up'
        $h.LastResult | Should -Match 'HTTP 200'
    }
}

Describe 'Repeated failure and recovery (bench/health-detect.ps1 -Cycles 3)' {
    It 'detects every failure within 3 s and is back within 2 s, with nothing lost after detection' {
        $out = @(& $BenchScript -Lab $LabName -Cycles 3 -PassThru)
        $cycles = @($out | Where-Object { $_.PSObject.TypeNames -contains 'LvsPS.HealthCycle' })
        $summary = $out | Where-Object { $_.PSObject.TypeNames -contains 'LvsPS.HealthCycleSummary' }
        $cycles.Count | Should -Be 3
        foreach ($c in $cycles) {
            if ($c.ToStoppedAfterDetection -or $c.FailedAfterDetection) { Write-Host ($c | Format-List * | Out-String) }
            $c.DetectSec | Should -BeLessOrEqual 3
            $c.RecoverSec | Should -BeLessOrEqual 2
            $c.FailedAfterDetection | Should -Be 0
            $c.ToStoppedAfterDetection | Should -Be 0
            $c.ConnectionsWhileOut | Should -Be 0
        }
        $summary.Detect.Max | Should -BeLessOrEqual 3
        Write-Host ("    3 cycles: detection min/median/max {0:0.000}/{1:0.000}/{2:0.000} s, recovery max {3:0.000} s, failed requests per failure max {4}" -f
            $summary.Detect.Min, $summary.Detect.Median, $summary.Detect.Max, $summary.Recover.Max, $summary.FailedPerFailure.Max)
    }
}

Describe 'Test-LvsCluster counts only real servers that are Up' {
    BeforeAll { Wait-AllUp | Out-Null }
    AfterEach {
        # Whatever a test stopped is started again.
        foreach ($n in 'rs1', 'rs2') {
            if (-not (Test-Path (Join-Path (Get-NodeDir $n) 'nginx.pid'))) { Start-LabNginx $n | Out-Null }
        }
        Wait-AllUp | Out-Null
    }

    It 'does not count rs1 as Up while its check fails, fails RealServerHealthy for it, and passes after the fix' {
        $t = Stop-LabNginx rs1
        Wait-Health rs1 Down -Since $t | Out-Null
        $r = Test-LvsCluster -Lab $LabName -Include ServiceHasRealServer, RealServerHealthy
        $www = $r | Where-Object { $_.Check -eq 'ServiceHasRealServer' -and $_.Target -like "*$($Vip):80*" }
        $www | Should -Not -BeNullOrEmpty
        # One of two is Up, and the message names rs1 as not Up instead of counting it.
        $www.Message | Should -Match '^1 of 2 '
        $www.Message | Should -Match ([regex]::Escape("$($Rs.rs1) Down"))
        $bad = @($r | Where-Object { $_.Check -eq 'RealServerHealthy' -and "$($_.Result)" -eq 'Failed' })
        $bad.Count | Should -Be 1
        $bad[0].Target | Should -Match ([regex]::Escape("$($Rs.rs1):80"))
        $bad[0].Message | Should -Match 'HTTP_GET'
        ($r | Where-Object { $_.Check -eq 'RealServerHealthy' -and $_.Target -like "$($Rs.rs2):80*" }).Result | Should -Be 'Passed'

        $t = Start-LabNginx rs1
        Wait-Health rs1 Up -Since $t | Out-Null
        $r = Test-LvsCluster -Lab $LabName -Include ServiceHasRealServer, RealServerHealthy
        ($r | Where-Object { $_.Check -eq 'RealServerHealthy' -and "$($_.Result)" -ne 'Passed' -and "$($_.Result)" -ne 'NotApplicable' }) | Should -BeNullOrEmpty
        ($r | Where-Object { $_.Check -eq 'RealServerHealthy' -and $_.Target -like "$($Rs.rs1):80*" }).Result | Should -Be 'Passed'
        ($r | Where-Object { $_.Check -eq 'ServiceHasRealServer' -and $_.Target -like "*$($Vip):80*" }).Message | Should -Match '^2 of 2 '
    }

    It 'fails ServiceHasRealServer when every real server of www is down' {
        $t1 = Stop-LabNginx rs1; $t2 = Stop-LabNginx rs2
        Wait-Health rs1 Down -Since $t1 | Out-Null
        Wait-Health rs2 Down -Since $t2 | Out-Null
        $r = Test-LvsCluster -Lab $LabName -Include ServiceHasRealServer, RealServerHealthy
        $www = $r | Where-Object { $_.Check -eq 'ServiceHasRealServer' -and $_.Target -like "*$($Vip):80*" }
        "$($www.Result)" | Should -Be 'Failed'
        $www.Message | Should -Match ([regex]::Escape("$($Rs.rs1) Down"))
        $www.Message | Should -Match ([regex]::Escape("$($Rs.rs2) Down"))
        @($r | Where-Object { $_.Check -eq 'RealServerHealthy' -and "$($_.Result)" -eq 'Failed' }).Count | Should -Be 2
        # telnet has no checks: still served, and not reported.
        "$(($r | Where-Object { $_.Check -eq 'ServiceHasRealServer' -and $_.Target -like "*$($Vip):23*" }).Result)" | Should -Be 'Passed'
        Test-LvsCluster -Lab $LabName -Include ServiceHasRealServer -Quiet | Should -BeFalse
    }
}

Describe 'All real servers of www down: the sorry server answers and the quorum commands run' {
    BeforeAll {
        Wait-AllUp | Out-Null
        $script:QuorumDir = Join-Path $Work 'quorum'
        New-Item -ItemType Directory -Force -Path $QuorumDir | Out-Null
        $script:DownMarker = Join-Path $QuorumDir 'down'
        $script:UpMarker = Join-Path $QuorumDir 'up'
        # rs3 (its own page "real server #3", VIP on lo like the others) is the sorry server; the commands run in
        # lvsd's namespace on the director and note the time.
        # Each line a command writes: "<epoch> <its network namespace>".
        $note = 'echo "$(date +%s.%N) $(readlink /proc/self/ns/net)" >> ''{0}'''
        Set-LvsServiceHealth -Director $LabName -VirtualAddress $Vip -Port 80 -SorryServer $Rs.rs3 -Quorum 1 -Hysteresis 0 `
            -QuorumDownCommand ($note -f $DownMarker) -QuorumUpCommand ($note -f $UpMarker)
        $script:DirectorNetns = Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'readlink /proc/self/ns/net'
    }
    AfterAll {
        foreach ($n in 'rs1', 'rs2') {
            if (-not (Test-Path (Join-Path (Get-NodeDir $n) 'nginx.pid'))) { Start-LabNginx $n | Out-Null }
        }
        Set-LvsServiceHealth -Director $LabName -VirtualAddress $Vip -Port 80 -SorryServer $null -QuorumDownCommand '' -QuorumUpCommand ''
        Wait-AllUp | Out-Null
    }

    It 'keeps the sorry server out and runs no command while quorum holds' {
        Start-Sleep -Milliseconds 1500
        (Get-LvsRealServer -Director $LabName -Port 80 | Where-Object IsSorryServer) | Should -BeNullOrEmpty
        Test-Marker $DownMarker | Should -BeFalse
        Test-Marker $UpMarker | Should -BeFalse
        (Invoke-LvsTestRequest -Count 4 -AsServerName | Sort-Object -Unique) | Should -Be @('rs1', 'rs2')
    }

    It 'puts rs3 in when rs1 and rs2 are down, runs quorum_down, and rs3 answers through the VIP' {
        $t1 = Stop-LabNginx rs1; $t2 = Stop-LabNginx rs2
        Wait-Health rs1 Down -Since $t1 | Out-Null
        Wait-Health rs2 Down -Since $t2 | Out-Null
        $sorry = Get-LvsRealServer -Director $LabName -Port 80 | Where-Object IsSorryServer
        $sorry | Should -Not -BeNullOrEmpty
        "$($sorry.RealAddress)" | Should -Be "$($Rs.rs3)"
        Wait-Marker $DownMarker | Should -BeTrue
        Test-Marker $UpMarker | Should -BeFalse
        # The sorry server may need its ARP answer first: give it a moment, then every request is rs3's.
        $deadline = [DateTime]::UtcNow.AddSeconds(5)
        while ((Invoke-LvsTestRequest -Count 1 -AsServerName) -ne 'rs3' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
        Invoke-LvsTestRequest -Count 4 -AsServerName | Should -Be @('rs3', 'rs3', 'rs3', 'rs3')
        $log = Get-Content -Raw $DirectorLog
        $log | Should -Match 'Lost quorum'
        $log | Should -Match ([regex]::Escape("Adding sorry server [$($Rs.rs3)]:tcp:80"))
        # The ipvsadm text shows the sorry server as keepalived puts it in the table.
        (Get-LvsService -Director $LabName -AsText) -split "`n" | Where-Object { $_ -like "  -> $($Rs.rs3):80 *" } | Should -Not -BeNullOrEmpty
    }

    It 'takes rs3 out again and runs quorum_up when rs1 and rs2 come back' {
        $t1 = Start-LabNginx rs1; $t2 = Start-LabNginx rs2
        Wait-Health rs1 Up -Since $t1 | Out-Null
        Wait-Health rs2 Up -Since $t2 | Out-Null
        Wait-Marker $UpMarker | Should -BeTrue
        (Get-LvsRealServer -Director $LabName -Port 80 | Where-Object IsSorryServer) | Should -BeNullOrEmpty
        $servers = Invoke-LvsTestRequest -Count 4 -AsServerName
        $servers | Should -Not -Contain 'rs3'
        ($servers | Sort-Object -Unique) | Should -Be @('rs1', 'rs2')
        (Get-LvsRealServer -Director $LabName -Port 80 | ForEach-Object { "$($_.RealAddress)" } | Sort-Object) | Should -Be (@("$($Rs.rs1)", "$($Rs.rs2)") | Sort-Object)
        # Each command ran once, quorum_down before quorum_up.
        $down = @(Get-Content $DownMarker); $up = @(Get-Content $UpMarker)
        $down.Count | Should -Be 1
        $up.Count | Should -Be 1
        (ConvertFrom-EpochText ($up[0] -split ' ')[0]) | Should -BeGreaterThan (ConvertFrom-EpochText ($down[0] -split ' ')[0])
        # Both ran inside lvsd's namespace on the director.
        ($down[0] -split ' ')[1] | Should -Be $DirectorNetns
        ($up[0] -split ' ')[1] | Should -Be $DirectorNetns
        (Get-Content -Raw $DirectorLog) | Should -Match 'Gained quorum'
    }
}

Describe 'Drain: Suspend-LvsRealServer -Drain and Resume-LvsRealServer on telnet' {
    BeforeAll {
        # rs1 gets weight 3 so that Resume-LvsRealServer has a weight to give back.
        Set-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 23 -RealAddress $Rs.rs1 -Weight 3

        function Open-LongSession([string]$Log, [double]$WriteAfterSec, [double]$ReadSec) {
            # A session held open through the VIP: after WriteAfterSec it sends a line and records what comes back
            # (the echo proves the connection still works), then closes.
            Remove-Item -ErrorAction SilentlyContinue $Log
            # Earlier sessions have ended first, so that the one open session is this one.
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while (@(Get-LvsConnection -Director $LabName -Port 23 -State Established).Count -gt 0) {
                if ([DateTime]::UtcNow -ge $deadline) { throw 'An earlier telnet session is still ESTABLISHED after 10 s.' }
                Start-Sleep -Milliseconds 200
            }
            $w = $WriteAfterSec.ToString([Globalization.CultureInfo]::InvariantCulture); $r = $ReadSec.ToString([Globalization.CultureInfo]::InvariantCulture)
            Invoke-LvsLabCommand -Lab $LabName -Node client -Command "setsid bash -c 'exec 3<>/dev/tcp/$Vip/23; sleep $w; echo still-here >&3; timeout $r cat <&3 > $Log' </dev/null >/dev/null 2>&1 &" | Out-Null
            $deadline = [DateTime]::UtcNow.AddSeconds(3)
            while ($true) {
                $open = @(Get-LvsConnection -Director $LabName -Port 23 -State Established)
                if ($open.Count -eq 1) { return $open[0] }
                if ([DateTime]::UtcNow -ge $deadline) { throw "Expected one ESTABLISHED telnet connection, found $($open.Count)." }
                Start-Sleep -Milliseconds 100
            }
        }
    }
    AfterAll {
        foreach ($n in 'rs1', 'rs2') { Resume-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 23 -RealAddress $Rs[$n] -ErrorAction SilentlyContinue }
    }

    It 'keeps the open session going while new sessions avoid the drained server; -Wait returns when it closes' {
        $log = Join-Path $Work 'drain-1.log'
        $opened = [DateTime]::UtcNow
        $conn = Open-LongSession -Log $log -WriteAfterSec 3 -ReadSec 1.5
        $target = Resolve-LvsTestRealServer $conn.RealAddress
        $other = if ($target -eq 'rs1') { 'rs2' } else { 'rs1' }
        $configured = (Get-LvsRealServer -Director $LabName -Port 23 -RealAddress $Rs[$target]).Weight

        $srv = Suspend-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 23 -RealAddress $Rs[$target] -Drain -PassThru
        $srv.Weight | Should -Be 0
        $srv.Suspended | Should -BeTrue
        $srv.ConfiguredWeight | Should -Be $configured
        "$($srv.State)" | Should -Be 'Draining'
        $hs = @(Get-LvsHealth -Director $LabName -Port 23 -RealAddress $Rs[$target])
        $hs.Count | Should -Be 1
        "$($hs[0].State)" | Should -Be 'Draining'
        # New sessions go to the other server only.
        $new = 1..4 | ForEach-Object { Get-TelnetServer }
        $new | Should -Be @($other, $other, $other, $other)

        # Suspend again with -Wait: returns once the open session has closed (about 4.5 s after it opened).
        $sw = [Diagnostics.Stopwatch]::StartNew()
        Suspend-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 23 -RealAddress $Rs[$target] -Drain -Wait -TimeoutSec 20 -WarningVariable warn -WarningAction SilentlyContinue
        $sw.Stop()
        $warn | Should -BeNullOrEmpty
        $closedAfter = ([DateTime]::UtcNow - $opened).TotalSeconds
        $closedAfter | Should -BeGreaterThan 4
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 12
        (Get-LvsRealServer -Director $LabName -Port 23 -RealAddress $Rs[$target]).ActiveConnections | Should -Be 0
        "$((Get-LvsRealServer -Director $LabName -Port 23 -RealAddress $Rs[$target]).State)" | Should -Be 'Quiesced'
        # The drained connection kept working to its end: its line came back echoed by the drained server.
        $said = Get-Content -Raw $log
        $said | Should -Match 'still-here'
        $said | Should -Match "guest@$target"

        # Resume gives the configured weight back, and new sessions reach the server again.
        $back = Resume-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 23 -RealAddress $Rs[$target] -PassThru
        $back.Weight | Should -Be $configured
        $back.Suspended | Should -BeFalse
        "$($back.State)" | Should -Be 'Up'
        (1..4 | ForEach-Object { Get-TelnetServer }) | Should -Contain $target
    }

    It 'returns at -TimeoutSec with a clear warning while the session is still open, and the server stays suspended' {
        $log = Join-Path $Work 'drain-2.log'
        $conn = Open-LongSession -Log $log -WriteAfterSec 5 -ReadSec 1
        $target = Resolve-LvsTestRealServer $conn.RealAddress
        $sw = [Diagnostics.Stopwatch]::StartNew()
        Suspend-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 23 -RealAddress $Rs[$target] -Drain -Wait -TimeoutSec 2 -WarningVariable warn -WarningAction SilentlyContinue
        $sw.Stop()
        $sw.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 1.9
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 4
        $warn.Count | Should -Be 1
        "$($warn[0])" | Should -Match ([regex]::Escape("$($Rs[$target]):23"))
        "$($warn[0])" | Should -Match 'still has 1 active connection'
        "$($warn[0])" | Should -Match 'after 2 s'
        $srv = Get-LvsRealServer -Director $LabName -Port 23 -RealAddress $Rs[$target]
        $srv.Weight | Should -Be 0
        "$($srv.State)" | Should -Be 'Draining'
        $configured = $srv.ConfiguredWeight
        Resume-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 23 -RealAddress $Rs[$target]
        (Get-LvsRealServer -Director $LabName -Port 23 -RealAddress $Rs[$target]).Weight | Should -Be $configured
        # The session was never cut.
        $deadline = [DateTime]::UtcNow.AddSeconds(8)
        while (-not ((Test-Path $log) -and (Get-Content -Raw $log) -match 'still-here') -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
        Get-Content -Raw $log | Should -Match 'still-here'
    }
}

Describe 'keepalived''s semantics beyond the first failure' {
    BeforeAll { Wait-AllUp | Out-Null }
    AfterEach {
        foreach ($n in 'rs1', 'rs2') {
            $d = Get-NodeDir $n
            # SIGCONT first, in case a test left nginx stopped (SIGSTOP); then start it if it is not running.
            Invoke-LvsLabCommand -Lab $LabName -Node $n -Command "p=`$(cat '$d/nginx.pid' 2>/dev/null) && kill -CONT `$p `$(ps -o pid= --ppid `$p) 2>/dev/null; true" | Out-Null
            if (-not (Test-Path (Join-Path $d 'nginx.pid'))) { Start-LabNginx $n | Out-Null }
        }
        Wait-AllUp | Out-Null
    }

    It 'retries before giving up: retry 2, delay_before_retry 0.5 s detects after 1 s at the earliest and 5 s at the latest' {
        Get-LvsRealServer -Director $LabName -Port 80 -RealAddress $Rs.rs1 | Set-LvsHealthCheck -Retry 2 -DelayBeforeRetrySec 0.5
        try {
            (Get-LvsHealthCheck -Director $LabName -Port 80 -RealAddress $Rs.rs1).Retry | Should -Be 2
            Start-Sleep -Milliseconds 1200   # the new values apply from the next run
            $t = Stop-LabNginx rs1
            $down = Wait-Health rs1 Down -Since $t
            $detect = (ConvertTo-Epoch $down.LastChange) - $t
            Write-Host ("    retry 2: detected in {0:0.000} s" -f $detect)
            # The first failure, then two more tries 0.5 s apart: never before 1 s after the stop;
            # delay_loop + connect_timeout x (retry + 1) + delay_before_retry x retry = 1 + 3 + 1 = 5 s at most.
            $detect | Should -BeGreaterOrEqual 1.0
            $detect | Should -BeLessOrEqual 5
            $down.Reason | Should -Match 'after 3 tries'
        } finally {
            Get-LvsRealServer -Director $LabName -Port 80 -RealAddress $Rs.rs1 | Set-LvsHealthCheck -Retry 0 -DelayBeforeRetrySec $null
        }
        (Get-LvsHealthCheck -Director $LabName -Port 80 -RealAddress $Rs.rs1).Retry | Should -Be 0
    }

    It 'takes a hung nginx (accepts, never answers) out when HTTP_GET times out' {
        # SIGSTOP to nginx's master and workers (by its pid file): the kernel still accepts connections, nothing
        # answers; a TCP_CHECK would pass, HTTP_GET must time out after connect_timeout (1 s).
        $d = Get-NodeDir rs1
        $t = ConvertFrom-EpochText ((Invoke-LvsLabCommand -Lab $LabName -Node rs1 -Command "p=`$(cat '$d/nginx.pid') || exit 3; date +%s.%N; kill -STOP `$p `$(ps -o pid= --ppid `$p)") | Select-Object -First 1)
        $down = Wait-Health rs1 Down -Since $t
        $detect = (ConvertTo-Epoch $down.LastChange) - $t
        Write-Host ("    hung nginx: detected in {0:0.000} s" -f $detect)
        $detect | Should -BeGreaterOrEqual 1.0   # at least one connect_timeout
        $detect | Should -BeLessOrEqual 3
        $down.Reason | Should -Match 'within 1 s'
        (Invoke-LvsTestRequest -Count 4 -AsServerName) | Should -Be @('rs2', 'rs2', 'rs2', 'rs2')
        $t = ConvertFrom-EpochText ((Invoke-LvsLabCommand -Lab $LabName -Node rs1 -Command "p=`$(cat '$d/nginx.pid') || exit 3; date +%s.%N; kill -CONT `$p `$(ps -o pid= --ppid `$p)") | Select-Object -First 1)
        $up = Wait-Health rs1 Up -Since $t
        ((ConvertTo-Epoch $up.LastChange) - $t) | Should -BeLessOrEqual 2
    }

    It 'keeps a failed real server in the table with weight 0 under inhibit_on_failure, and gives its weight back' {
        Set-LvsServiceHealth -Director $LabName -VirtualAddress $Vip -Port 80 -InhibitOnFailure
        try {
            $t = Stop-LabNginx rs1
            Wait-Health rs1 Down -Since $t | Out-Null
            $srv = Get-LvsRealServer -Director $LabName -Port 80 -RealAddress $Rs.rs1
            $srv.Weight | Should -Be 0
            $srv.ConfiguredWeight | Should -Be 1
            $srv.InTable | Should -BeTrue
            "$($srv.State)" | Should -Be 'Down'
            # ipvsadm lists an inhibited real server with weight 0 (its connection counters are whatever they are:
            # SYNs the stopped nginx answered with RST stay SYN_RECV in DR, as in the kernel).
            (Get-LvsService -Director $LabName -AsText) -split "`n" | Where-Object { $_ -match "^  -> $([regex]::Escape("$($Rs.rs1):80"))\s+Route\s+0\s" } |
                Should -Not -BeNullOrEmpty -Because 'ipvsadm lists an inhibited real server with weight 0'
            (Invoke-LvsTestRequest -Count 4 -AsServerName) | Should -Be @('rs2', 'rs2', 'rs2', 'rs2')
            (Get-Content -Raw $DirectorLog) | Should -Match ([regex]::Escape("Disabling service [$($Rs.rs1)]:tcp:80"))
            $t = Start-LabNginx rs1
            Wait-Health rs1 Up -Since $t | Out-Null
            (Get-LvsRealServer -Director $LabName -Port 80 -RealAddress $Rs.rs1).Weight | Should -Be 1
        } finally {
            Set-LvsServiceHealth -Director $LabName -VirtualAddress $Vip -Port 80 -InhibitOnFailure:$false
        }
    }

    It 'keeps the checks and the service health settings across a director restart, and runs them again' {
        $checks = Get-LvsHealthCheck -Director $LabName | Select-Object * -ExcludeProperty State | ConvertTo-Json -Depth 5
        $keepalived = Export-LvsConfiguration -Director $LabName -Format Keepalived
        Stop-LvsDirector -Force -Name $LabName
        Start-LvsDirector -Lab $LabName | Out-Null
        (Get-LvsHealthCheck -Director $LabName | Select-Object * -ExcludeProperty State | ConvertTo-Json -Depth 5) | Should -Be $checks
        Export-LvsConfiguration -Director $LabName -Format Keepalived | Should -Be $keepalived
        Wait-AllUp | Out-Null
        $t = Stop-LabNginx rs1
        $down = Wait-Health rs1 Down -Since $t
        ((ConvertTo-Epoch $down.LastChange) - $t) | Should -BeLessOrEqual 3
        (Invoke-LvsTestRequest -Count 2 -AsServerName) | Should -Be @('rs2', 'rs2')
    }

    It 'reschedules a persistent client whose real server failed (its template is expired, as ip_vs_check_template does)' {
        Set-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Persistent 60
        try {
            $servers = Invoke-LvsTestRequest -Count 3 -AsServerName
            ($servers | Sort-Object -Unique).Count | Should -Be 1
            $sticky = $servers[0]
            $sticky | Should -Match '^rs[12]$'
            $other = if ($sticky -eq 'rs1') { 'rs2' } else { 'rs1' }
            $t = Stop-LabNginx $sticky
            Wait-Health $sticky Down -Since $t | Out-Null
            (Get-LvsConnection -Director $LabName -Port 80 | Where-Object { $_.ClientPort -eq 0 -and "$($_.RealAddress)" -eq "$($Rs[$sticky])" }) |
                Should -BeNullOrEmpty -Because 'the template of a real server that left the table is expired'
            Invoke-LvsTestRequest -Count 3 -AsServerName | Should -Be @($other, $other, $other)
        } finally {
            Set-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Persistent 0
        }
    }

    It 'sends no new connection to a failed real server, also from a client port that still has an entry for it' {
        # A client port whose earlier connection went to rs1 keeps its entry (SYN_RECV 60 s, FIN_WAIT 120 s). When
        # keepalived removes rs1, the kernel drops packets of rs1's entries (expire_nodest_conn=0) or, with
        # expire_nodest_conn=1, schedules a new SYN afresh: either way the SYN never reaches rs1. (Measured in
        # bench/health-detect.ps1 before its client loop got ports of its own: 3 of 913 requests after the
        # detection were refused by the stopped rs1.)
        $rip = $Rs.rs1
        Get-LvsRealServer -Director $LabName -Port 80 -RealAddress $rip | Set-LvsHealthCheck -IntervalSec 30
        try {
            Start-Sleep -Milliseconds 1500   # the next run is the last at 1 s; then rs1 stays unchecked for 30 s
            $t = Stop-LabNginx rs1
            # While rs1 is still in the table, find a client port whose connection rr sent to rs1 (refused: exit 7).
            $port = $null
            foreach ($p in 32100..32119) {
                $r = Invoke-LvsLabCommand -Lab $LabName -Node client -Command "curl -s -o /dev/null -m 2 --local-port $p http://$($Vip)/test.html; echo `$?"
                if ("$r".Trim() -eq '7') { $port = $p; break }
            }
            $port | Should -Not -BeNullOrEmpty
            $entry = Get-LvsConnection -Director $LabName -Port 80 | Where-Object ClientPort -eq $port
            "$($entry.RealAddress)" | Should -Be "$rip"
            # Now let the checker find it: a new checker runs within a second.
            Get-LvsRealServer -Director $LabName -Port 80 -RealAddress $rip | Remove-LvsHealthCheck -Confirm:$false
            Get-LvsRealServer -Director $LabName -Port 80 -RealAddress $rip |
                Add-LvsHealthCheck -Type Http -Path /test.html -StatusCode 200 -IntervalSec 1 -TimeoutSec 1 -Retry 0
            Wait-Health rs1 Down -Since $t | Out-Null
            # A new connection from that port after the detection must not reach rs1 (exit 7 = rs1's RST).
            $r = Invoke-LvsLabCommand -Lab $LabName -Node client -Command "curl -s -o /dev/null -m 2 --local-port $port http://$($Vip)/test.html; echo `$?"
            "$r".Trim() | Should -Not -Be '7' -Because "rs1 is Down and out of the table; its entry for client port $port must not carry a new SYN to it"
        } finally {
            Get-LvsRealServer -Director $LabName -Port 80 -RealAddress $rip | Remove-LvsHealthCheck -Confirm:$false -ErrorAction SilentlyContinue
            Get-LvsRealServer -Director $LabName -Port 80 -RealAddress $rip |
                Add-LvsHealthCheck -Type Http -Path /test.html -StatusCode 200 -IntervalSec 1 -TimeoutSec 1 -Retry 0
        }
    }
}

Describe 'Bad input through the cmdlets is refused with stable ErrorIds, and nothing configured changes' {
    BeforeAll {
        Wait-AllUp | Out-Null
        $script:Before = Get-ConfigurationSnapshot
        $script:Before.Keepalived | Should -Match 'HTTP_GET'
    }
    AfterEach {
        $now = Get-ConfigurationSnapshot
        $now.Rules | Should -Be $script:Before.Rules
        $now.Keepalived | Should -Be $script:Before.Keepalived
        $now.Checks | Should -Be $script:Before.Checks
        $now.StateFile | Should -Be $script:Before.StateFile
    }

    It 'refuses an unknown checker type' {
        { Add-LvsHealthCheck -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs.rs1 -Type Ping -ErrorAction Stop } |
            Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,LvsPS.Commands.AddLvsHealthCheckCommand'
        $e = { Add-LvsHealthCheck -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs.rs1 -Type Ping -ErrorAction Stop } | Should -Throw -PassThru
        $e.Exception.Message | Should -Match 'Tcp, Http, Ssl, Misc'
        # From the pipeline, by property name: PowerShell cannot bind the mandatory -Type, and says so.
        { [pscustomobject]@{ Director = $LabName; VirtualAddress = $Vip; Port = 80; RealAddress = $Rs.rs1; Type = 'HTTP_PING' } | Add-LvsHealthCheck -ErrorAction Stop } |
            Should -Throw -ErrorId 'InputObjectMissingMandatory,LvsPS.Commands.AddLvsHealthCheckCommand'
    }

    It 'refuses an interval of 0 with InvalidHealthCheck (Add and Set)' {
        { Add-LvsHealthCheck -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs.rs1 -Type Tcp -IntervalSec 0 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidHealthCheck,LvsPS.Commands.AddLvsHealthCheckCommand'
        { Set-LvsHealthCheck -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs.rs1 -IntervalSec 0 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidHealthCheck,LvsPS.Commands.SetLvsHealthCheckCommand'
        { Set-LvsHealthCheck -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs.rs1 -TimeoutSec -1 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidHealthCheck,LvsPS.Commands.SetLvsHealthCheckCommand'
        { Set-LvsServiceHealth -Director $LabName -VirtualAddress $Vip -Port 80 -DelayLoopSec 0 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidHealthCheck,LvsPS.Commands.SetLvsServiceHealthCommand'
    }

    It 'refuses a path without a leading / with InvalidHealthCheck' {
        $e = { Get-LvsRealServer -Director $LabName -Port 80 -RealAddress $Rs.rs1 | Set-LvsHealthCheck -Path test.html -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidHealthCheck,LvsPS.Commands.SetLvsHealthCheckCommand' -PassThru
        $e.Exception.Message | Should -Match "'test.html'"
        { Add-LvsHealthCheck -Director $LabName -VirtualAddress $Vip -Port 23 -RealAddress $Rs.rs1 -Type Http -Path 'test.html' -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidHealthCheck,LvsPS.Commands.AddLvsHealthCheckCommand'
    }

    It 'refuses a status code out of range with InvalidHealthCheck' {
        foreach ($code in '700', '99', '300-200', 'abc') {
            { Get-LvsRealServer -Director $LabName -Port 80 -RealAddress $Rs.rs2 | Set-LvsHealthCheck -StatusCode $code -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidHealthCheck,LvsPS.Commands.SetLvsHealthCheckCommand'
        }
        { Add-LvsHealthCheck -Director $LabName -VirtualAddress $Vip -Port 23 -RealAddress $Rs.rs2 -Type Http -Path / -StatusCode 600 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidHealthCheck,LvsPS.Commands.AddLvsHealthCheckCommand'
    }

    It 'refuses parameters that do not belong to the checker type' {
        { Add-LvsHealthCheck -Director $LabName -VirtualAddress $Vip -Port 23 -RealAddress $Rs.rs1 -Type Tcp -Path /x -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidHealthCheck,LvsPS.Commands.AddLvsHealthCheckCommand'
        { Add-LvsHealthCheck -Director $LabName -VirtualAddress $Vip -Port 23 -RealAddress $Rs.rs1 -Type Misc -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidHealthCheck,LvsPS.Commands.AddLvsHealthCheckCommand'
        { Add-LvsHealthCheck -Director $LabName -VirtualAddress $Vip -Port 23 -RealAddress $Rs.rs1 -Type Tcp -ConnectPort 70000 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidHealthCheck,LvsPS.Commands.AddLvsHealthCheckCommand'
    }

    It 'refuses a health check on a missing real server or service with not-found errors' {
        { Add-LvsHealthCheck -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress "10.241.$Octet.99" -Type Tcp -ErrorAction Stop } |
            Should -Throw -ErrorId 'RealServerNotFound,LvsPS.Commands.AddLvsHealthCheckCommand'
        { Add-LvsHealthCheck -Director $LabName -VirtualAddress $Vip -Port 8080 -RealAddress $Rs.rs1 -Type Tcp -ErrorAction Stop } |
            Should -Throw -ErrorId 'ServiceNotFound,LvsPS.Commands.AddLvsHealthCheckCommand'
        { Set-LvsHealthCheck -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress "10.241.$Octet.99" -IntervalSec 2 -ErrorAction Stop } |
            Should -Throw -ErrorId 'RealServerNotFound,LvsPS.Commands.SetLvsHealthCheckCommand'
        { Suspend-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress "10.241.$Octet.99" -Drain -ErrorAction Stop } |
            Should -Throw -ErrorId 'RealServerNotFound,LvsPS.Commands.SuspendLvsRealServerCommand'
        { Resume-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress "10.241.$Octet.99" -ErrorAction Stop } |
            Should -Throw -ErrorId 'RealServerNotFound,LvsPS.Commands.ResumeLvsRealServerCommand'
    }

    It 'refuses a second checker of the same type and a missing one' {
        { Add-LvsHealthCheck -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs.rs1 -Type Http -Path /test.html -ErrorAction Stop } |
            Should -Throw -ErrorId 'HealthCheckExists,LvsPS.Commands.AddLvsHealthCheckCommand'
        { Remove-LvsHealthCheck -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs.rs1 -Type Tcp -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'HealthCheckNotFound,LvsPS.Commands.RemoveLvsHealthCheckCommand'
        { Set-LvsHealthCheck -Director $LabName -VirtualAddress $Vip -Port 23 -RealAddress $Rs.rs1 -IntervalSec 2 -ErrorAction Stop } |
            Should -Throw -ErrorId 'HealthCheckNotFound,LvsPS.Commands.SetLvsHealthCheckCommand'
    }

    It 'refuses a quorum of 0 and a negative hysteresis' {
        { Set-LvsServiceHealth -Director $LabName -VirtualAddress $Vip -Port 80 -Quorum 0 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidHealthCheck,LvsPS.Commands.SetLvsServiceHealthCommand'
        { Set-LvsServiceHealth -Director $LabName -VirtualAddress $Vip -Port 80 -Hysteresis -1 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidHealthCheck,LvsPS.Commands.SetLvsServiceHealthCommand'
    }

    It 'changes nothing under -WhatIf' {
        Get-LvsRealServer -Director $LabName -Port 80 | Set-LvsHealthCheck -IntervalSec 5 -WhatIf
        Get-LvsRealServer -Director $LabName -Port 80 | Remove-LvsHealthCheck -WhatIf
        Add-LvsHealthCheck -Director $LabName -VirtualAddress $Vip -Port 23 -RealAddress $Rs.rs1 -Type Tcp -WhatIf
        Set-LvsServiceHealth -Director $LabName -VirtualAddress $Vip -Port 80 -Quorum 5 -WhatIf
        Suspend-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs.rs1 -Drain -WhatIf
        (Get-LvsRealServer -Director $LabName -Port 80 -RealAddress $Rs.rs1).Weight | Should -Be 1
    }
}
