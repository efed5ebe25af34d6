#Requires -Version 7.4
# Tab completion and -Verbose on a real lab (issue 12, "Native to PowerShell"): TabExpansion2 in this process on
# command lines as a user types them, against an engine director with two services (the lab's VIP on port 80 with
# both real servers, a second VIP on 8080 with rs1 only) and a VRRP instance; the completions must be the lab's own
# VIPs, real servers, interfaces, nodes and instances, and -Forwarding must not offer Local. Then Get-LvsService and
# Test-LvsCluster -Verbose must say which socket, which host, which probe and how many of what.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1') -LabParameters @{ NamePrefix = 'hlp'; Network = '10.189'; RealServerCount = 2; StartDirector = $true; HideRealServers = $true }
    $script:Rs = $TestLab.RealServers
    $script:Vip2 = ($Vip.ToString() -replace '\.101$', '.102')
    New-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler rr | Out-Null
    foreach ($n in 'rs1', 'rs2') { Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs[$n] -Weight 1 | Out-Null }
    New-LvsService -Director $LabName -VirtualAddress $Vip2 -Port 8080 -Scheduler wlc | Out-Null
    Add-LvsRealServer -Director $LabName -VirtualAddress $Vip2 -Port 8080 -RealAddress $Rs['rs1'] -Weight 1 | Out-Null
    $script:Iface = $Lab.Director.Interface
    # on an address of its own, so that its Backup start does not hold back the services' VIPs
    New-LvsVrrpInstance -Director $LabName -Name hlp_vi -Interface $Iface -VirtualRouterId 77 -Priority 100 -VirtualAddress ($Vip.ToString() -replace '\.101$', '.103') | Out-Null

    # The completions of a command line with the cursor at its end: the texts, and the results themselves.
    function script:Complete([string]$Line) {
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches)
    }
    function script:Texts([string]$Line) { @(Complete $Line | ForEach-Object CompletionText) }
}

AfterAll {
    Remove-LvsTestLab -Name $script:LabName
}

Describe 'Tab completion from the lab' {
    It 'offers the director''s VIPs for -VirtualAddress (both services), and only those on the -Port typed' {
        $all = Texts "Get-LvsRealServer -Director $LabName -VirtualAddress "
        $all | Should -Contain "$Vip"
        $all | Should -Contain $Vip2
        $only80 = Texts "Get-LvsService -Director $LabName -Port 80 -VirtualAddress "
        $only80 | Should -Contain "$Vip"
        $only80 | Should -Not -Contain $Vip2
        $tip = (Complete "Remove-LvsService -Director $LabName -VirtualAddress " | Where-Object CompletionText -EQ $Vip2).ToolTip
        $tip | Should -Match '8080 wlc, 1 real server'
    }

    It 'offers the real servers of the service typed for -RealAddress' {
        $both = Texts "Get-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress "
        $both | Should -Contain "$($Rs['rs1'])"
        $both | Should -Contain "$($Rs['rs2'])"
        $one = Texts "Set-LvsRealServer -Director $LabName -VirtualAddress $Vip2 -Port 8080 -RealAddress "
        $one | Should -Be @("$($Rs['rs1'])")
        # Add-LvsRealServer: also the lab's real servers the service does not have yet
        $add = Texts "Add-LvsRealServer -Director $LabName -VirtualAddress $Vip2 -Port 8080 -RealAddress "
        $add | Should -Contain "$($Rs['rs2'])"
        $addTip = (Complete "Add-LvsRealServer -Director $LabName -VirtualAddress $Vip2 -Port 8080 -RealAddress " | Where-Object CompletionText -EQ "$($Rs['rs2'])").ToolTip
        $addTip | Should -Match "rs2 of lab '$LabName'"
        # a prefix narrows it
        $prefix = "$($Rs['rs2'])".Substring(0, "$($Rs['rs2'])".Length - 1)
        Texts "Remove-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $prefix" | Should -Contain "$($Rs['rs2'])"
    }

    It 'does not offer Local for -Forwarding, and refuses it by name' {
        foreach ($cmd in 'Add-LvsRealServer', 'Set-LvsRealServer', 'New-LvsLab', 'Test-LvsRealServer') {
            $f = Texts "$cmd -Forwarding "
            $f | Should -Contain 'Route' -Because $cmd
            $f | Should -Contain 'Masq'
            $f | Should -Contain 'Tunnel'
            $f | Should -Not -Contain 'Local' -Because "$cmd never takes Local"
        }
        Texts 'Set-LvsServiceHealth -SorryServerForwarding ' | Should -Not -Contain 'Local'
        Texts 'Add-LvsRealServer -Forwarding L' | Should -BeNullOrEmpty
        $err = $null
        try { Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs['rs1'] -Forwarding Local -ErrorAction Stop } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError,*'
        $err.Exception.Message | Should -Match "'Local' cannot be chosen"
        (Get-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80).Forwarding | Should -Not -Contain 'Local'
    }

    It 'offers the check names and categories for -Include and -Exclude of Test-LvsCluster' {
        $c = Texts "Test-LvsCluster -Lab $LabName -Include RealServer"
        $c | Should -Contain 'RealServerHidden'
        $c | Should -Contain 'RealServerReachable'
        Texts "Test-LvsCluster -Lab $LabName -Exclude Net" | Should -Be @('Network')
        Texts "Invoke-LvsClusterValidation -Lab $LabName -Include VipA" | Should -Be @('VipArpOwner')
    }

    It 'offers the director''s interfaces, its namespace''s, and the lab''s namespaces' {
        Texts "New-LvsVrrpInstance -Director $LabName -Interface " | Should -Contain $Iface
        Texts "Start-LvsSyncDaemon -Director $LabName -Interface " | Should -Contain $Iface
        Texts "Start-LvsDirector -Name x -NetworkNamespace $($Lab.Director.Namespace) -Interface " | Should -Contain $Iface
        Texts "Start-LvsDirector -Name x -NetworkNamespace " | Should -Contain $Lab.Director.Namespace
        Texts 'Start-LvsDirector -Name x -Interface ' | Should -Not -Contain 'lo'
        $vipIf = Texts "Set-LvsRealServerHidden -Lab $LabName -Interface "
        $vipIf | Should -Contain 'lo'
        $vipIf | Should -Contain 'dummy0'
        Texts "Test-LvsCluster -Lab $LabName -VipInterface d" | Should -Be @('dummy0')
        Texts "Set-LvsRealServerHidden -Lab $LabName -NetInterface " | Should -Contain $Lab.RealServers[0].Interface
    }

    It 'offers the VRRP instances for -Name, the lab''s nodes for -Node, and labs and directors by name' {
        Texts "Get-LvsVrrpInstance -Director $LabName -Name " | Should -Be @('hlp_vi')
        Texts "Set-LvsVrrpInstance -Director $LabName -Name h" | Should -Be @('hlp_vi')
        $nodes = Texts "Invoke-LvsLabCommand -Lab $LabName -Node "
        foreach ($n in 'client', 'director', 'rs1', 'rs2') { $nodes | Should -Contain $n }
        $rsNodes = Texts "Set-LvsRealServerHidden -Lab $LabName -Node "
        $rsNodes | Should -Be @('rs1', 'rs2')
        Texts "Get-LvsLab -Name $($LabName.Substring(0, 5))" | Should -Contain $LabName
        Texts "Get-LvsService -Director $($LabName.Substring(0, 5))" | Should -Contain $LabName
        Texts "Start-LvsDirector -Lab $LabName -Node " | Should -Be @('director')
    }

    It 'never throws and returns quickly for a director that does not exist' {
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        { $null = Texts 'Get-LvsRealServer -Director hlpnosuchdirector -VirtualAddress ' } | Should -Not -Throw
        { $null = Texts 'Get-LvsVrrpInstance -Director hlpnosuchdirector -Name ' } | Should -Not -Throw
        { $null = Texts 'Start-LvsSyncDaemon -Director hlpnosuchdirector -Interface ' } | Should -Not -Throw
        Texts 'Get-LvsRealServer -Director hlpnosuchdirector -RealAddress ' | Where-Object { $_ -match '^\d' } | Should -BeNullOrEmpty
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 15
    }
}

Describe '-Verbose says what happens' {
    It 'Get-LvsService -Verbose names the control socket and counts the services, real servers and connections' {
        $socket = (Get-LvsDirector -Name $LabName).SocketPath
        $socket | Should -Not -BeNullOrEmpty
        $out = @(Get-LvsService -Director $LabName -Verbose 4>&1)
        $verbose = @($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        @($out | Where-Object { $_ -is [LvsPS.Ipvs.Model.LvsService] }).Count | Should -Be 2
        $verbose | Should -Contain "Connecting to lvsd control socket $socket (ListServices)"
        ($verbose -join "`n") | Should -Match "Got 2 services, 3 real servers, \d+ connections \(\d+ active, \d+ inactive\) from lvsd '$LabName'"
    }

    It 'Get-LvsService without -Verbose writes no verbose record' {
        @(Get-LvsService -Director $LabName 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) | Should -BeNullOrEmpty
    }

    It 'Test-LvsCluster -Verbose names the director''s table, the hosts commands run on, and the probe with its request count' {
        $out = @(Test-LvsCluster -Lab $LabName -Include ServiceDistribution, DirectorIpForwardOff, RealServerHidden -RequestCount 5 -Verbose 4>&1)
        @($out | Where-Object { $_ -is [LvsPS.Management.Checks.LvsCheckResult] }).Count | Should -BeGreaterThan 0
        $verbose = @($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        $text = $verbose -join "`n"
        $text | Should -Match "Connecting to lvsd control socket \S+/$LabName\.sock"
        $text | Should -Match "Director '$LabName' \(Engine\) has 2 services, 3 real servers"
        $text | Should -Match "Running '.*' on lab node director \("
        $text | Should -Match ([regex]::Escape("Probing http://$($Vip):80/ from client (") + '[0-9.]+\) \(10 requests\)')
        $text | Should -Match "10 of 10 requests to $([regex]::Escape("$Vip")):80 answered"
        $text | Should -Match 'ServiceDistribution .*: Passed'
        $text | Should -Match "Running '.*' on root@$([regex]::Escape("$($Rs['rs1'])")):22 over SSH"
    }
}
