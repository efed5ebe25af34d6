#Requires -Version 7.4
# The director's levelled log (Get-LvsDirectorLog, Set-LvsDirectorLog, Start-LvsDirector -DebugLevel/-Syslog) on real
# labs: an lvsd lab with real requests through the VIP (level 0 writes no per-connection record, level 6 names the
# real server each connection was scheduled to), its syslog datagrams received on a unix socket this test binds, and a
# kernel lab whose IPVS kernel messages are read over SSH and whose debug_level is set or refused as the guest allows.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1') -LabParameters @{ NamePrefix = 'lg'; Network = '10.170'; RealServerCount = 2; StartDirector = $true; HideRealServers = $true }
    New-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler rr | Out-Null
    foreach ($rs in $Lab.RealServers) { Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $rs.Address -Forwarding Route | Out-Null }
    $script:RsAddresses = @($Lab.RealServers | ForEach-Object { $_.Address.ToString() })
}

AfterAll { Remove-LvsTestLab -Name $script:LabName }

Describe 'Get-LvsDirectorLog on lvsd' {
    It 'writes no per-connection record at level 0' {
        $pages = @(Invoke-LvsTestRequest -Count 4 -AsServerName)
        ($pages | Sort-Object -Unique) | Should -Be @('rs1', 'rs2')
        $all = @(Get-LvsDirectorLog -Director $LabName)
        $all.Count | Should -BeGreaterThan 0
        $all[0] | Should -BeOfType ([LvsPS.Ipvs.Director.LvsLogRecord])
        ($all | Where-Object Level -gt 0) | Should -BeNullOrEmpty
        (Get-LvsDirectorLog -Director $LabName -Source DataPath -Pattern 'scheduled') | Should -BeNullOrEmpty
        ($all | Where-Object Message -eq 'ready').Source | Should -Be 'Host'
        ($all | Where-Object Message -match '^AddRealServer').Source | Should -Be @('Control', 'Control')
    }

    It 'names the scheduled real server of each new connection once the level is raised at run time' {
        $since = [DateTime]::UtcNow
        Set-LvsDirectorLog -Director $LabName -DebugLevel 6 -Confirm:$false
        $pages = @(Invoke-LvsTestRequest -Count 4 -AsServerName)
        # rr alternates (which one comes first depends on the scheduler's position)
        ($pages | Sort-Object) | Should -Be @('rs1', 'rs1', 'rs2', 'rs2')
        $pages[0] | Should -Not -Be $pages[1]
        $sched = @(Get-LvsDirectorLog -Director $LabName -Source DataPath -Since $since -Pattern '^scheduled')
        $sched.Count | Should -Be 4
        $sched | ForEach-Object { $_.Level | Should -Be 5; $_.Severity | Should -Be 'Debug' }
        foreach ($a in $RsAddresses) { @($sched | Where-Object Message -match " to $([regex]::Escape($a)):80 Route$").Count | Should -Be 2 }
        $sched[0].Message | Should -Match "-> TCP $([regex]::Escape($Vip.ToString())):80 \(rr\)"
        # the filters
        @(Get-LvsDirectorLog -Director $LabName -Since $since -Last 2).Count | Should -Be 2
        (Get-LvsDirectorLog -Director $LabName -Since $since -Level 0).Message | Should -Contain 'debug level 0 -> 6'
        (Get-LvsDirectorLog -Director $LabName -Since $since -Level 4 | Where-Object Level -gt 4) | Should -BeNullOrEmpty
        (Get-LvsDirectorLog -Director $LabName -Since ([DateTime]::UtcNow.AddMinutes(1))) | Should -BeNullOrEmpty
        (Get-LvsDirector -Name $LabName | Get-LvsDirectorLog -Last 1).Director | Should -Be $LabName
        # the log file has the same records, one parseable line each
        $lines = Get-Content (Get-LvsDirector -Name $LabName).LogPath | Where-Object { $_ -match ' L5 debug datapath: scheduled ' }
        @($lines).Count | Should -BeGreaterOrEqual 4
        $lines[-1] | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z L5 debug datapath: scheduled '
        # text for enums and times in JSON
        $json = Get-LvsDirectorLog -Director $LabName -Last 1 -Source DataPath | ConvertTo-Json -EnumsAsStrings | ConvertFrom-Json
        $json.Source | Should -Be 'DataPath'
    }

    It 'refuses a level outside 0..12' {
        { Set-LvsDirectorLog -Director $LabName -DebugLevel 13 -Confirm:$false } | Should -Throw
        { Set-LvsDirectorLog -Director $LabName -DebugLevel 3 -WhatIf } | Should -Not -Throw
        (Set-LvsDirectorLog -Director $LabName -DebugLevel 6 -PassThru -Confirm:$false).DebugLevel | Should -Be 6
    }

    It 'keeps the level across a restart and sends RFC 5424 datagrams to a unix syslog socket' {
        $path = Join-Path ([IO.Path]::GetTempPath()) "lvsps-lg-$PID.sock"
        Remove-Item $path -ErrorAction SilentlyContinue
        $sock = [System.Net.Sockets.Socket]::new([System.Net.Sockets.AddressFamily]::Unix, [System.Net.Sockets.SocketType]::Dgram, [System.Net.Sockets.ProtocolType]::Unspecified)
        try {
            $sock.Bind([System.Net.Sockets.UnixDomainSocketEndPoint]::new($path))
            $sock.ReceiveTimeout = 5000
            Stop-LvsDirector -Name $LabName -Confirm:$false | Out-Null
            Start-LvsDirector -Lab $LabName -Syslog $path -SyslogFacility Local2 -Confirm:$false | Out-Null
            Invoke-LvsTestRequest -Count 1 | Out-Null
            $got = [System.Collections.Generic.List[string]]::new()
            $buf = [byte[]]::new(4096)
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while ([DateTime]::UtcNow -lt $deadline -and -not ($got -match ' datapath \[.*\] scheduled ')) {
                try { $n = $sock.Receive($buf); $got.Add([Text.Encoding]::UTF8.GetString($buf, 0, $n)) } catch [System.Net.Sockets.SocketException] { break }
            }
            # local2 = 18: notice 18*8+5 = 149, debug 151; the level (6) was kept with the state
            $ready = @($got | Where-Object { $_ -match '\] ready$' })
            $ready.Count | Should -Be 1 -Because "the datagrams were:`n$($got -join "`n")"
            $ready[0] | Should -Match '^<149>1 \d{4}-\d\d-\d\dT[\d:.]+Z \S+ lvsd \d+ host \[lvsd@32473 director="[a-z]+" level="0"\] ready$'
            $sched = @($got | Where-Object { $_ -match ' datapath \[.*\] scheduled ' })
            $sched.Count | Should -BeGreaterOrEqual 1
            $sched[0] | Should -Match "^<151>1 .* lvsd \d+ datapath \[lvsd@32473 director=`"$LabName`" level=`"5`"\] scheduled "
            (Get-LvsDirectorLog -Director $LabName -Source Host -Pattern '^debug level').Message | Should -Be "debug level 6, syslog to $path (local2)"
        }
        finally {
            $sock.Dispose()
            Remove-Item $path -ErrorAction SilentlyContinue
        }
    }
}

Describe 'Get-LvsDirectorLog on a kernel director' {
    BeforeAll {
        $script:KLab = New-LvsTestLab -NamePrefix lk -Network 10.170 -DirectorKind Kernel -RealServerCount 1
        $script:KName = $KLab.Name
        New-LvsService -Director $KName -VirtualAddress $KLab.VirtualAddress -Port 80 -Scheduler rr | Out-Null
    }
    AfterAll { if ($script:KName) { Remove-LvsTestLab -Name $script:KName } }

    It 'reads the kernel''s IPVS messages from the guest' {
        $k = @(Get-LvsDirectorLog -Director $KName -Source Kernel)
        $k.Count | Should -BeGreaterThan 0
        $k | ForEach-Object { $_.Message | Should -Match 'IPVS' }
        ($k | Where-Object Message -match 'IPVS: .*(loaded|Registered protocols)') | Should -Not -BeNullOrEmpty
        $k[-1].Time | Should -BeLessOrEqual ([DateTime]::UtcNow.AddMinutes(1))
        $k[-1].Time | Should -BeGreaterThan ([DateTime]::UtcNow.AddHours(-1))
        @(Get-LvsDirectorLog -Director $KName -Source Kernel -Last 1).Count | Should -Be 1
    }

    It 'sets debug_level where the guest kernel has it, else refuses with LogLevelNotSupported' {
        $has = (Invoke-LvsLabCommand -Lab $KName -Node director -Command 'if [ -e /proc/sys/net/ipv4/vs/debug_level ]; then echo yes; else echo no; fi') -join ''
        if ($has -eq 'yes') {
            (Set-LvsDirectorLog -Director $KName -DebugLevel 4 -PassThru -Confirm:$false).DebugLevel | Should -Be 4
            (Invoke-LvsLabCommand -Lab $KName -Node director -Command 'cat /proc/sys/net/ipv4/vs/debug_level') -join '' | Should -Be '4'
        }
        else {
            $err = $null
            try { Set-LvsDirectorLog -Director $KName -DebugLevel 4 -Confirm:$false } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -Match '^LogLevelNotSupported'
            $err.Exception.Message | Should -Match 'CONFIG_IP_VS_DEBUG'
        }
    }
}
