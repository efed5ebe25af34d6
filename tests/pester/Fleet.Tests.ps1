#Requires -Version 7.4
# Fleet-wide SSH in parallel, against a real lab: an engine director and five real servers, each running its own
# sshd and nginx in its namespace. Set-LvsRealServerHidden prepares them all at once (-ThrottleLimit), leaving the
# same state on every host as one after another; output stays in input order while a slowed host (netem on its
# link) finishes last; progress names each host as it finishes; -WhatIf touches nothing; Ctrl+C (PowerShell.Stop)
# leaves the outstanding hosts alone; a host whose sshd is stopped is one error, named, while the others are
# prepared; Test-LvsCluster's and Test-LvsRealServer's per-host SSH checks give the same results at any limit.
# The states are read through the lab (ip and /proc in each namespace), not through the cmdlets under test.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1') -LabParameters @{ NamePrefix = 'pfl'; Network = '10.197'; RealServerCount = 5; StartDirector = $true }
    $script:Nodes = @($Lab.RealServers | ForEach-Object Name)
    $script:Address = @{}; foreach ($n in $Lab.RealServers) { $Address[$n.Name] = $n.Address.ToString() }
    $script:Psd1 = Join-Path (Get-LvsTestRoot) 'LvsPS.psd1'
    New-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler rr | Out-Null
    foreach ($n in $Lab.RealServers) { Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $n.Address | Out-Null }

    function script:OnNode([string]$Node, [string]$Command) { (Invoke-LvsLabCommand -Lab $LabName -Node $Node -Command $Command) -join "`n" }
    # A real server's VIP and ARP state as its own kernel has it: the addresses on lo and the sysctls that matter.
    function script:NodeState([string]$Node) {
        OnNode $Node 'ip -o -4 addr show dev lo | while read -r _ _ _ a _; do echo "lo $a"; done; for k in arp_ignore arp_announce; do for i in all lo eth0; do echo "$k.$i=$(cat /proc/sys/net/ipv4/conf/$i/$k)"; done; done'
    }
    function script:AllStates { $h = [ordered]@{}; foreach ($n in $Nodes) { $h[$n] = NodeState $n }; $h }
    # Back to a fresh real server: no VIP on lo, the ARP sysctls at the kernel's defaults.
    function script:Reset-Node([string]$Node) {
        OnNode $Node "ip addr del $Vip/32 dev lo 2>/dev/null; for i in all lo eth0; do sysctl -qw net.ipv4.conf.`$i.arp_ignore=0 net.ipv4.conf.`$i.arp_announce=0; done; true" | Out-Null
    }
    function script:Reset-All { foreach ($n in $Nodes) { Reset-Node $n } }
    function script:IsPrepared([string]$State) {
        $State -match "(?m)^lo $([regex]::Escape("$Vip"))/32$" -and $State -match '(?m)^arp_ignore\.all=1$' -and $State -match '(?m)^arp_announce\.all=2$'
    }
    # Holds a real server's sshd (the lab's process in its namespace, by its pid) with SIGSTOP: its kernel still
    # completes the TCP handshake, but the SSH banner waits until SIGCONT. No timing involved.
    function script:Hold([string]$Node) { OnNode $Node "kill -STOP `$(cat '$(Join-Path $Lab.Directory "$Node/sshd.pid")')" | Out-Null }
    function script:Release([string]$Node) { OnNode $Node "kill -CONT `$(cat '$(Join-Path $Lab.Directory "$Node/sshd.pid")') 2>/dev/null; true" | Out-Null }
    # Waits (at most a minute, as a guard) until the shell's progress stream has a record with this status; read by index, as it grows meanwhile.
    function script:WaitProgress($Ps, [string]$Status) {
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while ([DateTime]::UtcNow -lt $deadline) {
            for ($i = 0; $i -lt $Ps.Streams.Progress.Count; $i++) { if ($Ps.Streams.Progress[$i].StatusDescription -eq $Status) { return $true } }
            Start-Sleep -Milliseconds 20
        }
        $false
    }
    # A PowerShell of its own in this process, to see the progress stream and to stop it as Ctrl+C does.
    function script:NewShell([string]$Script) {
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$Psd1'; $Script")
        $ps
    }
    $script:Fresh = NodeState rs1
}

AfterAll {
    if ($script:Nodes) { foreach ($n in $Nodes) { try { Release $n } catch { } } }
    Remove-LvsTestLab -Name $script:LabName
}

Describe 'Set-LvsRealServerHidden over the fleet' {
    It 'starts from real servers that hold no VIP' {
        $Fresh | Should -Not -Match 'lo .*/32'
        $Fresh | Should -Match '(?m)^arp_ignore\.all=0$'
    }

    It 'logs in to a lab node with the node''s own folder as HOME, not the host''s /root (whose .bashrc would run for every command)' {
        # OpenSSH's own client, from the lab's management namespace, with the lab's key and known_hosts.
        $out = & ip netns exec $Lab.ManagementNamespace ssh -i $Lab.KeyFile -o "UserKnownHostsFile=$($Lab.KnownHostsFile)" -o StrictHostKeyChecking=yes -o BatchMode=yes "root@$($Address['rs1'])" 'echo "$HOME"'
        $LASTEXITCODE | Should -Be 0
        $out | Should -Be (Join-Path $Lab.Directory 'rs1')
    }

    It '-WhatIf prepares no host' {
        Set-LvsRealServerHidden -Lab $LabName -WhatIf
        foreach ($n in $Nodes) { NodeState $n | Should -Be $Fresh -Because "$n is untouched" }
    }

    It 'leaves the same state on every host in parallel as one after another' {
        $seqOut = @(Set-LvsRealServerHidden -Lab $LabName -ThrottleLimit 1 -PassThru)
        $seq = AllStates
        Reset-All
        foreach ($n in $Nodes) { NodeState $n | Should -Be $Fresh }
        $parOut = @(Set-LvsRealServerHidden -Lab $LabName -PassThru)
        $par = AllStates
        foreach ($n in $Nodes) {
            IsPrepared $par[$n] | Should -BeTrue -Because $par[$n]
            $par[$n] | Should -Be $seq[$n] -Because "$n the same either way"
        }
        $parOut.Count | Should -Be 5
        ($parOut | ForEach-Object { "$($_.ComputerName) $($_.IsHidden) $($_.Changed)" }) | Should -Be ($seqOut | ForEach-Object { "$($_.ComputerName) $($_.IsHidden) $($_.Changed)" })
        $parOut.ComputerName | Should -Be ($Nodes | ForEach-Object { $Address[$_] })
    }

    It 'writes the hosts in input order, not in the order they finish, and names each in the progress as it finishes' {
        Reset-All
        Hold rs1
        try {
            $ps = NewShell "Set-LvsRealServerHidden -Lab $LabName -Node rs1,rs2,rs3,rs4,rs5 -PassThru"
            $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $async = $ps.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $output)
            # rs1, first in the input, waits on its held sshd while the four others finish; then it goes on.
            WaitProgress $ps '4 of 5 host(s) done' | Should -BeTrue
            $output.Count | Should -Be 0 -Because 'nothing is written before rs1, the first host'
            Release rs1
            $ps.EndInvoke($async)
            $out = @($output)
            $progress = @($ps.Streams.Progress)
            $ps.Streams.Error | Should -BeNullOrEmpty
            $ps.Dispose()
        } finally { Release rs1 }
        $out.ComputerName | Should -Be ($Nodes | ForEach-Object { $Address[$_] })
        $finished = @($progress | Where-Object { $_.RecordType -ne 'Completed' -and $_.CurrentOperation -match ': (done|failed)$' })
        $finished.Count | Should -Be 5
        $finished.StatusDescription | Should -Be (1..5 | ForEach-Object { "$_ of 5 host(s) done" })
        $finished[-1].CurrentOperation | Should -Be "$($Address.rs1): done" -Because 'the held rs1 finished last'
        ($finished.CurrentOperation | Sort-Object) | Should -Be ($Nodes | ForEach-Object { "$($Address[$_]): done" } | Sort-Object)
        $progress[-1].RecordType | Should -Be 'Completed'
        foreach ($n in $Nodes) { IsPrepared (NodeState $n) | Should -BeTrue }
        # -Node in another order: the output follows it.
        (Set-LvsRealServerHidden -Lab $LabName -Node rs5, rs2, rs4 -PassThru).ComputerName | Should -Be @($Address.rs5, $Address.rs2, $Address.rs4)
    }

    It 'refuses a bad -ThrottleLimit before any host, naming the value' {
        Reset-All
        foreach ($bad in 0, 1025) {
            $e = { Set-LvsRealServerHidden -Lab $LabName -ThrottleLimit $bad } | Should -Throw -PassThru
            $e.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError,*'
            $e.Exception.Message | Should -Match "'ThrottleLimit'"
            $e.Exception.Message | Should -Match "\b$bad\b"
        }
        { Test-LvsCluster -Lab $LabName -ThrottleLimit 0 } | Should -Throw -ExpectedMessage "*'ThrottleLimit'*"
        foreach ($n in $Nodes) { NodeState $n | Should -Be $Fresh }
    }

    It 'leaves the outstanding hosts alone when stopped (Ctrl+C)' {
        Reset-All
        # rs1 goes through; rs2 and rs3 (two at a time) wait on their held sshd when the run is stopped; rs4 and
        # rs5 are never started.
        foreach ($n in 'rs2', 'rs3', 'rs4', 'rs5') { Hold $n }
        try {
            $ps = NewShell "Set-LvsRealServerHidden -Lab $LabName -ThrottleLimit 2"
            $async = $ps.BeginInvoke()
            WaitProgress $ps '1 of 5 host(s) done' | Should -BeTrue
            $ps.Stop()
            $async.IsCompleted | Should -BeTrue
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            @($ps.Streams.Progress | Where-Object StatusDescription -Match '^[2-5] of 5') | Should -BeNullOrEmpty
            $ps.Streams.Error | Should -BeNullOrEmpty -Because 'a stopped run reports no host as failed'
            $ps.Dispose()
        } finally { foreach ($n in 'rs2', 'rs3', 'rs4', 'rs5') { Release $n } }
        IsPrepared (NodeState rs1) | Should -BeTrue -Because 'rs1 was done before the stop'
        # The aborted logins' connections reach the released sshds and end there: nothing runs on any of them.
        Start-Sleep -Milliseconds 500
        foreach ($n in 'rs2', 'rs3', 'rs4', 'rs5') { NodeState $n | Should -Be $Fresh -Because "$n was aborted or never started" }
    }
}

Describe 'Test-LvsCluster and Test-LvsRealServer over the fleet' {
    BeforeAll { Set-LvsRealServerHidden -Lab $LabName }

    It 'gives the same real server results in the same order one after another as all at once' {
        $checks = 'RealServerVip', 'RealServerHidden', 'RealServerRpFilter', 'RealServerListening', 'RealServerReachable', 'RealServerHttp', 'SshHostKeysKnown'
        $one = @(Test-LvsCluster -Lab $LabName -Include $checks -ThrottleLimit 1)
        $all = @(Test-LvsCluster -Lab $LabName -Include $checks)
        $all.Count | Should -Be 35
        ($all | ForEach-Object { "$($_.Check) $($_.Target) $($_.Result)" }) | Should -Be ($one | ForEach-Object { "$($_.Check) $($_.Target) $($_.Result)" })
        ($all | Where-Object Result -ne Passed) | Should -BeNullOrEmpty -Because ($all | Where-Object Result -ne Passed | Out-String)
        # Per real server, in the director's order: rs1's SSH checks, then rs2's ...
        # The director's order of its real servers (the order the checks go through them), the same at every limit.
        $order = @($all | Where-Object Check -eq RealServerVip | ForEach-Object { ($_.Target -split ' ')[0] })
        ($order | Sort-Object) | Should -Be ($Nodes | ForEach-Object { $Address[$_] } | Sort-Object)
        foreach ($c in $checks | Where-Object { $_ -ne 'SshHostKeysKnown' }) {
            @($all | Where-Object Check -eq $c | ForEach-Object { ($_.Target -split '[ :]')[0] }) | Should -Be $order -Because $c
        }
        @($all | Where-Object Check -eq RealServerVip).Target | Should -Be ($order | ForEach-Object { "$_ ($Vip)" })
        $name = @{}; foreach ($n in $Nodes) { $name[$Address[$n]] = $n }
        @($all | Where-Object Check -eq SshHostKeysKnown).Target | Should -Be ($order | ForEach-Object { "$($name[$_]) ($_)" })
    }

    It 'Test-LvsRealServer writes each host''s results together, in the hosts'' order' {
        $r = @(Test-LvsRealServer -Lab $LabName -Node rs4, rs2, rs5)
        $hosts = @($r | ForEach-Object { ($_.Target -split '[ :]')[0] } | Select-Object -Unique)
        $hosts | Should -Be @($Address.rs4, $Address.rs2, $Address.rs5)
        # Each host's results are contiguous: the first address's results all come before the second's.
        $last = -1
        foreach ($h in $hosts) {
            $idx = @(0..($r.Count - 1) | Where-Object { $r[$_].Target -like "$h*" })
            $idx[0] | Should -BeGreaterThan $last
            $last = $idx[-1]
        }
        ($r | Where-Object Result -eq Failed) | Should -BeNullOrEmpty -Because ($r | Out-String)
    }
}

Describe 'A host that cannot be reached' {
    BeforeAll {
        Reset-All
        # rs3's sshd (a process of the lab, in rs3's namespace) stopped by its pid: logins to rs3 are refused.
        $pidFile = Join-Path $Lab.Directory 'rs3/sshd.pid'
        OnNode rs3 "kill `$(cat '$pidFile'); for i in `$(seq 50); do ss -ltnH | grep -q ':22 ' || break; sleep 0.1; done" | Out-Null
        OnNode rs3 'ss -ltnH' | Should -Not -Match ':22 '
    }

    It 'is one error naming it, while the other hosts are prepared' {
        $out = @(Set-LvsRealServerHidden -Lab $LabName -PassThru -ErrorVariable ev -ErrorAction SilentlyContinue)
        $ev.Count | Should -Be 1
        $ev[0].FullyQualifiedErrorId | Should -Be 'SshConnectFailed,LvsPS.Commands.SetLvsRealServerHiddenCommand'
        $ev[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        $ev[0].TargetObject | Should -Be $Address.rs3
        $ev[0].Exception.Message | Should -Match ([regex]::Escape($Address.rs3))
        $out.ComputerName | Should -Be @($Address.rs1, $Address.rs2, $Address.rs4, $Address.rs5)
        foreach ($n in 'rs1', 'rs2', 'rs4', 'rs5') { IsPrepared (NodeState $n) | Should -BeTrue -Because $n }
        NodeState rs3 | Should -Be $Fresh
    }

    It 'fails only its own SSH checks in Test-LvsCluster' {
        $r = @(Test-LvsCluster -Lab $LabName -Include RealServerVip, RealServerHidden)
        $r.Count | Should -Be 10
        foreach ($x in $r) {
            if ($x.Target -like "$($Address.rs3) *") {
                $x.Result | Should -Be Failed
                $x.Message | Should -Match "^rs3 \($([regex]::Escape($Address.rs3))\).*SshConnectFailed"
            } else { $x.Result | Should -Be Passed -Because $x.Message }
        }
    }

    It 'is one error per failed host from Get-LvsRealServerHidden too, the others read' {
        $out = @(Get-LvsRealServerHidden -Lab $LabName -ErrorVariable ev -ErrorAction SilentlyContinue)
        $ev.Count | Should -Be 1
        $ev[0].TargetObject | Should -Be $Address.rs3
        $out.ComputerName | Should -Be @($Address.rs1, $Address.rs2, $Address.rs4, $Address.rs5)
        ($out.IsHidden | Select-Object -Unique) | Should -BeTrue
    }
}
