#Requires -Version 7.4
# End to end, with real packets: a lab (client, director, three real servers running nginx, sshd and a
# telnet-like service in network namespaces), the LvsPS director forwarding by direct routing, the real
# servers prepared over SSH, and every cmdlet of the seed slice driven as an admin would.

BeforeAll {
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'LvsPS.TestHelpers.psm1') -Force
    Import-LvsTestModule
    $root = Get-LvsTestRoot
    $script:TestLab = New-LvsTestLab -NamePrefix pt -Network 10.249 -RealServerCount 3
    $script:LabName = $TestLab.Name; $script:Octet = $TestLab.Octet; $script:Lab = $TestLab.Lab
    $script:Vip = $TestLab.VirtualAddress; $script:Rs = $TestLab.RealServers

    # The walkthrough's lvs_dr.conf as written, with the lab's addresses.
    $script:Conf = Join-Path $TestDrive 'lvs_dr.conf'
    New-LvsTestDrConf -Path $Conf -VirtualAddress $Vip -DirectorAddress $Lab.Director.Address
}

AfterAll { Remove-LvsTestLab -Name $script:LabName }

Describe 'The seed cluster (LVS-DR, rr) in a lab' {
    It 'builds a lab whose nodes have addresses only inside their namespaces' {
        $Lab.RealServers.Count | Should -Be 3
        $Lab.Director.Address.ToString() | Should -Be "10.249.$Octet.1"
        $Rs.rs1.ToString() | Should -Be "10.249.$Octet.3"
        (& ip -o -4 addr show) -join "`n" | Should -Not -Match "10\.249\.$Octet\."
        Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'cat /proc/sys/net/ipv4/ip_forward' | Should -Be '0'
    }

    It 'starts the director in the lab' {
        $d = Start-LvsDirector -Lab $LabName
        $d.Running | Should -BeTrue
        $d.MacAddress | Should -Be $Lab.Director.MacAddress
        (Get-LvsDirector -Name $LabName).ProcessId | Should -Be $d.ProcessId
    }

    It 'imports lvs_dr.conf as written, resolving rs1/rs2 and telnet/www' {
        $defs = Import-LvsConfiguration -Path $Conf -Lab $LabName
        $defs.Count | Should -Be 2
        $defs[0].Port | Should -Be 23
        $defs[1].Port | Should -Be 80
        $defs[1].Scheduler | Should -Be 'Rr'
        ($defs[1].RealServers.RealAddress | ForEach-Object ToString) | Should -Be @($Rs.rs1.ToString(), $Rs.rs2.ToString())
        $created = $defs | New-LvsService -Director $LabName
        $created.Count | Should -Be 2
        (Get-LvsService -Director $LabName).Count | Should -Be 2
    }

    It 'reports an import error with file and line' {
        $bad = Join-Path $TestDrive 'bad.conf'
        "LVS_TYPE=VS_DR`nSERVICE=t www rx rs1:www" | Set-Content $bad
        $err = $null
        Import-LvsConfiguration -Path $bad -Lab $LabName -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ConfigParseError,*'
        $err[0].Exception.Message | Should -Match 'bad\.conf:2'
    }

    It 'changes nothing on the real servers under -WhatIf' {
        Set-LvsRealServerHidden -Lab $LabName -WhatIf
        Invoke-LvsLabCommand -Lab $LabName -Node rs1 -Command 'ip -o -4 addr show dev lo' | Out-String | Should -Not -Match ([regex]::Escape($Vip.ToString()))
    }

    It 'refuses an unknown host key, and records it only with -AcceptNewHostKey' {
        $known = Join-Path $TestDrive 'known_hosts'
        $common = @{ ComputerName = $Rs.rs1.ToString(); VirtualAddress = $Vip; KeyFile = $Lab.KeyFile; KnownHostsFile = $known; NetworkNamespace = $Lab.Director.Namespace }
        { Get-LvsRealServerHidden @common -ErrorAction Stop } | Should -Throw -ErrorId 'HostKeyUnknown,LvsPS.Commands.GetLvsRealServerHiddenCommand'
        (Get-LvsRealServerHidden @common -AcceptNewHostKey).VipPresent | Should -BeFalse
        (Get-Content $known) -join "`n" | Should -Match ([regex]::Escape($Rs.rs1.ToString()) + ' ssh-ed25519 ')
        # The recorded key is the lab's: the same line as the lab's known_hosts.
        (Get-Content $known | Where-Object { $_ -notmatch '^#' }) | Should -BeIn (Get-Content $Lab.KnownHostsFile)
        # A changed key is refused even with -AcceptNewHostKey.
        $other = (Get-Content $Lab.KnownHostsFile | Where-Object { $_ -like "$($Rs.rs2) *" }) -replace '^\S+', $Rs.rs1.ToString()
        Set-Content -Path $known -Value $other
        { Get-LvsRealServerHidden @common -AcceptNewHostKey -ErrorAction Stop } | Should -Throw -ErrorId 'HostKeyMismatch,LvsPS.Commands.GetLvsRealServerHiddenCommand'
    }

    It 'prepares the real servers over SSH (VIP on lo/32, ARP hidden), idempotently' {
        $states = Set-LvsRealServerHidden -Lab $LabName -PassThru
        $states.Count | Should -Be 3
        $states | ForEach-Object { $_.IsHidden | Should -BeTrue; $_.VipPrefixLength | Should -Be 32 }
        (Set-LvsRealServerHidden -Lab $LabName -PassThru) | ForEach-Object { $_.Changed | Should -BeFalse }
        # Read back independently of SSH, inside the namespace.
        Invoke-LvsLabCommand -Lab $LabName -Node rs1 -Command 'ip -o -4 addr show dev lo' | Out-String | Should -Match "$([regex]::Escape($Vip.ToString()))/32"
        Invoke-LvsLabCommand -Lab $LabName -Node rs1 -Command 'cat /proc/sys/net/ipv4/conf/all/arp_ignore /proc/sys/net/ipv4/conf/all/arp_announce' | Should -Be @('1', '2')
        (Get-LvsRealServerHidden -Lab $LabName -Node rs2).IsHidden | Should -BeTrue
    }

    It 'shows the table laid out as ipvsadm -L -n' {
        $text = Get-LvsService -Director $LabName -AsText
        $lines = $text -split "`n"
        $lines[0] | Should -Be 'IP Virtual Server version 1.2.1 (size=4096)'
        $lines[1] | Should -Be 'Prot LocalAddress:Port Scheduler Flags'
        $lines[2] | Should -Be '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn'
        $lines[3] | Should -Be "TCP  $($Vip):23 rr"
        $lines[4] | Should -Be ('  -> {0,-28} Route   1      0          0         ' -f "$($Rs.rs1):23")
        # The default view renders the same lines.
        $view = (Get-LvsService -Director $LabName | Out-String) -split "`r?`n" | ForEach-Object TrimEnd
        $view | Should -Contain 'IP Virtual Server version 1.2.1 (size=4096)'
        $view | Should -Contain "TCP  $($Vip):80 rr"
    }

    It 'alternates test.html between real server #2 and #1 through the VIP' {
        $before = Get-LvsTestConnectionCount
        $servers = Invoke-LvsTestRequest -Count 10 -AsServerName
        ($servers | Where-Object { $_ -like 'none*' }) | Should -BeNullOrEmpty
        for ($i = 1; $i -lt $servers.Count; $i++) { $servers[$i] | Should -Not -Be $servers[$i - 1] }
        ($servers | Where-Object { $_ -eq 'rs1' }).Count | Should -Be 5
        $after = Get-LvsTestConnectionCount
        ($after[$Rs.rs1.ToString()] - $before[$Rs.rs1.ToString()]) | Should -Be 5
        ($after[$Rs.rs2.ToString()] - $before[$Rs.rs2.ToString()]) | Should -Be 5
        # Closed HTTP connections stay as InActConn (FIN_WAIT in DR) as ipvsadm counts them.
        $www = Get-LvsService -Director $LabName -Port 80
        ($www.RealServers | Measure-Object -Sum InactiveConnections).Sum | Should -BeGreaterOrEqual 10
        (Get-LvsConnection -Director $LabName -Port 80 -State FinWait).Count | Should -BeGreaterOrEqual 10
    }

    It 'counts open telnet-like sessions as ActiveConn, one per real server' {
        # Two sessions held open for a few seconds, like the walkthrough's two telnet windows.
        Invoke-LvsLabCommand -Lab $LabName -Node client -Command "for i in 1 2; do setsid sh -c 'sleep 6 | socat - TCP:$($Vip):23' </dev/null >/dev/null 2>&1 & done; sleep 1" | Out-Null
        $telnet = Get-LvsRealServer -Director $LabName -Port 23
        $telnet | ForEach-Object { $_.ActiveConnections | Should -Be 1 }
        (Get-LvsConnection -Director $LabName -Port 23 -AsText) | Should -Match 'ESTABLISHED'
    }

    It 'only the director answers ARP for the VIP' {
        $arp = Test-LvsCluster -Lab $LabName -Include VipArpOwner
        $arp.Result | Should -Be 'Passed'
    }

    It 'detects a real server that answers ARP for the VIP' {
        Invoke-LvsLabCommand -Lab $LabName -Node rs3 -Command 'sysctl -qw net.ipv4.conf.all.arp_ignore=0 net.ipv4.conf.lo.arp_ignore=0 net.ipv4.conf.eth0.arp_ignore=0' | Out-Null
        try {
            $arp = Test-LvsCluster -Lab $LabName -Include VipArpOwner
            $arp.Result | Should -Be 'Failed'
            $arp.Message | Should -Match 'rs3'
        } finally {
            Set-LvsRealServerHidden -Lab $LabName -Node rs3
        }
        (Test-LvsCluster -Lab $LabName -Include VipArpOwner).Result | Should -Be 'Passed'
    }

    It 'passes every cluster check' {
        $results = Test-LvsCluster -Lab $LabName
        $results.Count | Should -BeGreaterThan 8
        $results | Where-Object Result -eq 'Failed' | ForEach-Object { "$($_.Check) $($_.Target): $($_.Message)" } | Should -BeNullOrEmpty
        Test-LvsCluster -Lab $LabName -Quiet | Should -BeTrue
    }

    It 'runs the shipped Pester suite against the live cluster' {
        $container = New-PesterContainer -Path (Join-Path $root 'Diagnostics/Comprehensive') -Data @{ Lab = $LabName }
        $cfg = New-PesterConfiguration
        $cfg.Run.Container = $container
        $cfg.Run.PassThru = $true
        $cfg.Output.Verbosity = 'None'
        $r = Invoke-Pester -Configuration $cfg
        $r.FailedCount | Should -Be 0
        $r.PassedCount | Should -BeGreaterThan 5
    }
}

Describe 'Weighted round robin with the kernel''s semantics' {
    It 'gives weights 3:2:1 exactly 3:2:1 of new connections' {
        Set-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler wrr
        Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs.rs3 -Weight 1
        Get-LvsService -Director $LabName -Port 80 | Add-LvsRealServer -RealAddress $Rs.rs3 -ErrorAction SilentlyContinue -ErrorVariable dup
        $dup[0].FullyQualifiedErrorId | Should -BeLike 'RealServerExists,*'
        Set-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs.rs1 -Weight 3
        Set-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs.rs2 -Weight 2
        $servers = Invoke-LvsTestRequest -Count 12 -AsServerName
        ($servers | Where-Object { $_ -eq 'rs1' }).Count | Should -Be 6
        ($servers | Where-Object { $_ -eq 'rs2' }).Count | Should -Be 4
        ($servers | Where-Object { $_ -eq 'rs3' }).Count | Should -Be 2
        # wrr repeats with a period of 6 (sum of weights / gcd): the second six repeat the first six.
        ($servers[6..11] -join ',') | Should -Be ($servers[0..5] -join ',')
    }

    It 'gives a quiesced (weight 0) server no new connections while its open connection goes on' {
        $log = '/tmp/lvsps-quiesce-' + $LabName
        # Entries of earlier sessions may still be listed (a session whose FIN went to rs3 while it answered ARP for
        # the VIP stays ESTABLISHED in the table until it times out): look only at the one opened here.
        $earlier = @(Get-LvsConnection -Director $LabName -Port 23 | ForEach-Object { $_.ClientPort })
        # Open a session through the VIP to whichever server rr/wrr picks, keep it, talk on it after the weight change.
        Invoke-LvsLabCommand -Lab $LabName -Node client -Command "setsid bash -c 'exec 3<>/dev/tcp/$Vip/23; sleep 4; echo still-here >&3; timeout 3 cat <&3 > $log' </dev/null >/dev/null 2>&1 &" | Out-Null
        Start-Sleep -Milliseconds 800
        $open = @(Get-LvsConnection -Director $LabName -Port 23 -State Established | Where-Object { $earlier -notcontains $_.ClientPort })
        $open.Count | Should -Be 1
        $target = $open[0].RealAddress
        Set-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 23 -RealAddress $target -Weight 0
        Set-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs.rs3 -Weight 0
        $servers = Invoke-LvsTestRequest -Count 6 -AsServerName
        $servers | Should -Not -Contain 'rs3'
        Start-Sleep -Seconds 5
        Invoke-LvsLabCommand -Lab $LabName -Node client -Command "cat $log; rm -f $log" | Out-String | Should -Match 'still-here'
        (Get-LvsRealServer -Director $LabName -Port 23 -RealAddress $target).Weight | Should -Be 0
    }
}

Describe 'Bad input is refused and nothing configured changes' {
    BeforeAll {
        # The configuration as ipvsadm -S prints it (services, schedulers, real servers, weights): the connection
        # counters of the -L listing move on their own as earlier connections time out.
        $script:Table = Export-LvsConfiguration -Director $LabName -Format IpvsadmRules -IncludeThresholds
        $script:Table | Should -Match '-A -t '
    }
    AfterEach { Export-LvsConfiguration -Director $LabName -Format IpvsadmRules -IncludeThresholds | Should -Be $script:Table }

    It 'refuses a port out of range with InvalidPort' {
        { New-LvsService -Director $LabName -VirtualAddress $Vip -Port 70000 -Scheduler rr -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidPort,LvsPS.Commands.NewLvsServiceCommand'
    }
    It 'refuses a weight out of range with InvalidWeight' {
        { Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress 10.249.$Octet.9 -Weight 65536 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidWeight,LvsPS.Commands.AddLvsRealServerCommand'
    }
    It 'refuses an address that is not an IPv4 address' {
        { New-LvsService -Director $LabName -VirtualAddress 300.1.1.1 -Port 80 -ErrorAction Stop } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,LvsPS.Commands.NewLvsServiceCommand'
        { New-LvsService -Director $LabName -VirtualAddress 224.0.0.1 -Port 80 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidAddress,LvsPS.Commands.NewLvsServiceCommand'
    }
    It 'refuses an unknown scheduler' {
        { New-LvsService -Director $LabName -VirtualAddress $Vip -Port 81 -Scheduler xyz -ErrorAction Stop } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,LvsPS.Commands.NewLvsServiceCommand'
    }
    It 'takes flag-1..3 with any scheduler, as the kernel does (rr (flag-2))' {
        New-LvsService -Director $LabName -VirtualAddress $Vip -Port 81 -Scheduler rr -SchedulerFlags Port | Out-Null
        try { (Get-LvsService -Director $LabName -AsText) -split "`n" | Should -Contain "TCP  $($Vip):81 rr (flag-2)" }
        finally { Remove-LvsService -Director $LabName -VirtualAddress $Vip -Port 81 -Confirm:$false }
    }
    It 'refuses a duplicate service with ServiceExists' {
        { New-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler rr -ErrorAction Stop } | Should -Throw -ErrorId 'ServiceExists,LvsPS.Commands.NewLvsServiceCommand'
    }
    It 'refuses a missing service or real server with not-found errors' {
        { Remove-LvsService -Force -Director $LabName -VirtualAddress $Vip -Port 8080 -ErrorAction Stop } | Should -Throw -ErrorId 'ServiceNotFound,LvsPS.Commands.RemoveLvsServiceCommand'
        { Remove-LvsRealServer -Force -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress 10.249.$Octet.99 -ErrorAction Stop } | Should -Throw -ErrorId 'RealServerNotFound,LvsPS.Commands.RemoveLvsRealServerCommand'
    }
    It 'changes nothing under -WhatIf' {
        New-LvsService -Director $LabName -VirtualAddress $Vip -Port 8080 -Scheduler rr -WhatIf
        Remove-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -WhatIf
        Set-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs.rs1 -Weight 9 -WhatIf
    }
}

Describe 'A restarted director restores its services' {
    It 'reports DirectorNotRunning while stopped and restores everything at start' {
        $before = Get-LvsService -Director $LabName -AsText
        Stop-LvsDirector -Force -Name $LabName
        { Get-LvsService -Director $LabName -ErrorAction Stop } | Should -Throw -ErrorId 'DirectorNotRunning,LvsPS.Commands.GetLvsServiceCommand'
        { New-LvsService -Director $LabName -VirtualAddress $Vip -Port 81 -ErrorAction Stop } | Should -Throw -ErrorId 'DirectorNotRunning,LvsPS.Commands.NewLvsServiceCommand'
        Start-LvsDirector -Lab $LabName | Out-Null
        # Same services, real servers, weights and order; counters start again from zero.
        $after = Get-LvsService -Director $LabName -AsText
        ($after -replace '\s+\d+\s+\d+\s*(\n|$)', '$1') | Should -Be ($before -replace '\s+\d+\s+\d+\s*(\n|$)', '$1')
        Invoke-LvsTestRequest -Count 1 -AsServerName | Should -Match '^rs[12]$'
    }
}

Describe 'Removing the lab' {
    It 'stops every process and deletes every namespace and file' {
        $dir = $Lab.Directory
        Remove-LvsLab -Name $LabName -Confirm:$false
        (& ip netns list) -join "`n" | Should -Not -Match "lvs-$LabName-"
        Test-Path $dir | Should -BeFalse
        Get-LvsDirector -Name $LabName -All -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $script:LabName = $null
    }
}
