#Requires -Version 7.4
# Issue 12's objects for automation, on a real lvsd lab with real requests through the VIP: ConvertTo-Json at its
# default depth (addresses and enums as text, flat counters, nested real servers), an Export-Csv / edit /
# Import-Csv | Set-LvsRealServer round trip that changes a weight (read back from the director), one name per count
# in Format-List *, every output type's default view within 80 columns, -Stats/-Rate/-Thresholds/-PersistentConn as
# objects under pwsh -NonInteractive, and services named as ipvsadm names them (tcp/VIP:port, udp/..., fwm/N, [v6]:port).

BeforeAll {
    . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1') -LabParameters @{ NamePrefix = 'objs'; Network = '10.184'; RealServerCount = 2; StartDirector = $true; HideRealServers = $true }
    New-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler rr | Out-Null
    foreach ($rs in $Lab.RealServers) { Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $rs.Address -Forwarding Route -UpperThreshold 50 -LowerThreshold 10 | Out-Null }
    $script:RsAddresses = @($Lab.RealServers | ForEach-Object { "$($_.Address)" })
    $pages = @(Invoke-LvsTestRequest -Count 6 -AsServerName)
    ($pages | Sort-Object -Unique) | Should -Be @('rs1', 'rs2')
    $script:Psd1 = Join-Path (Get-LvsTestRoot) 'LvsPS.psd1'
    $script:Dotnet = [Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    if ((Split-Path -Leaf $Dotnet) -ne 'dotnet') { $script:Dotnet = (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source }

    # Every line of a rendering, checked against 80 columns (the message names the long ones).
    function Assert-Within80([string]$Text, [string]$What) {
        $long = @($Text -split "`r?`n" | Where-Object { $_.Length -gt 80 })
        $long | Should -BeNullOrEmpty -Because "$What must fit 80 columns: $($long -join ' | ')"
    }
}

AfterAll { Remove-LvsTestLab -Name $script:LabName }

Describe 'ConvertTo-Json at its default depth' {
    It 'writes services with their address, protocol and scheduler as text, their counters flat and their real servers' {
        New-LvsService -Director $LabName -VirtualAddress $Vip -Port 81 -Scheduler wlc -Persistent 300 | Out-Null
        try {
            # Two services piped: an array, so their real servers are at the default depth's last level.
            $json = Get-LvsService -Director $LabName | ConvertTo-Json -WarningVariable w -WarningAction SilentlyContinue
        } finally { Remove-LvsService -Director $LabName -VirtualAddress $Vip -Port 81 -Confirm:$false }
        $w | Should -BeNullOrEmpty -Because 'nothing is truncated at depth 2'
        $json | Should -Match ('"VirtualAddress": "' + [regex]::Escape("$Vip") + '"')
        $json | Should -Match '"Protocol": "Tcp"'
        $json | Should -Match '"Scheduler": "Rr"'
        $json | Should -Match '"Scheduler": "Wlc"'
        $json | Should -Not -Match 'AddressFamily'
        $json | Should -Not -Match '"(Protocol|Scheduler|Forwarding|State|MacSource|SchedulerFlags)": \d'
        $o = @($json | ConvertFrom-Json) | Where-Object Port -eq 80
        $o.Conns | Should -BeGreaterOrEqual 6
        $o.InPkts | Should -BeGreaterThan 0
        $o.InBytes | Should -BeGreaterThan 0
        $o.PSObject.Properties.Name | Should -Contain 'CPS'
        @($o.RealServers | Sort-Object) | Should -Be @($RsAddresses | ForEach-Object { "${_}:80" } | Sort-Object)
    }

    It 'writes real servers with their addresses, forwarding, state and counters' {
        $json = Get-LvsRealServer -Director $LabName | ConvertTo-Json -WarningVariable w -WarningAction SilentlyContinue
        $w | Should -BeNullOrEmpty
        $rs = @($json | ConvertFrom-Json)
        $rs.Count | Should -Be 2
        @($rs.RealAddress | Sort-Object) | Should -Be @($RsAddresses | Sort-Object)
        $rs | ForEach-Object {
            $_.VirtualAddress | Should -Be "$Vip"
            $_.Forwarding | Should -Be 'Route'
            $_.State | Should -Be 'Up'
            $_.Conns | Should -Be 3
            $_.InPkts | Should -BeGreaterThan 0
            $_.Statistics.Connections | Should -Be 3
        }
    }

    It 'keeps the nested real servers usable in PowerShell' {
        $svc = Get-LvsService -Director $LabName -VirtualAddress $Vip -Port 80
        $svc.RealServers.Count | Should -Be 2
        @($svc.RealServers.RealAddress | Sort-Object) | Should -Be @($RsAddresses | Sort-Object)
        ($svc.RealServers.Statistics.Connections | Measure-Object -Sum).Sum | Should -BeGreaterOrEqual 6
        ($svc.RealServers | Measure-Object -Property InactiveConnections -Sum).Sum + ($svc.RealServers | Measure-Object -Property ActiveConnections -Sum).Sum | Should -BeGreaterOrEqual 0
        $svc.RealServers | Set-LvsRealServer -Weight 2 -Confirm:$false
        (Get-LvsRealServer -Director $LabName).Weight | Should -Be @(2, 2)
        $svc.RealServers | Set-LvsRealServer -Weight 1 -Confirm:$false
    }

    It 'writes connections, real servers, health, directors and log records with addresses and enums as text' {
        $outputs = [ordered]@{
            'Get-LvsConnection' = @(Get-LvsConnection -Director $LabName)
            'Get-LvsRealServer' = @(Get-LvsRealServer -Director $LabName)
            'Get-LvsHealth'     = @(Get-LvsHealth -Director $LabName)
            'Get-LvsDirector'   = @(Get-LvsDirector -Name $LabName)
            'Get-LvsDirectorLog' = @(Get-LvsDirectorLog -Director $LabName | Select-Object -First 3)
        }
        foreach ($name in $outputs.Keys) {
            $outputs[$name].Count | Should -BeGreaterThan 0 -Because "$name gives something to serialise"
            $json = $outputs[$name] | ConvertTo-Json -WarningVariable w -WarningAction SilentlyContinue
            $w | Should -BeNullOrEmpty -Because "$name fits the default depth"
            $json | Should -Not -Match 'AddressFamily' -Because "$name writes addresses as text"
            $json | Should -Not -Match '"(Protocol|Forwarding|State|Severity|Source|Kind|Role|MacSource)": \d' -Because "$name writes enums as text"
        }
        $c = Get-LvsConnection -Director $LabName | Select-Object -First 1 | ConvertTo-Json | ConvertFrom-Json
        $c.VirtualAddress | Should -Be "$Vip"
        $c.RealAddress | Should -BeIn $RsAddresses
        $c.State | Should -BeOfType ([string])
        ((Get-LvsRealServer -Director $LabName)[0] | ConvertTo-Json | ConvertFrom-Json).RealAddress | Should -BeIn $RsAddresses
    }

    It 'writes a check result as text' {
        $r = [LvsPS.Management.Checks.LvsCheckResult]@{ Check = 'x'; Result = 'Failed' } | ConvertTo-Json | ConvertFrom-Json
        $r.Result | Should -Be 'Failed'
    }

    It 'keeps the counters and, with the module, the addresses in another runspace' {
        $svc = Get-LvsService -Director $LabName -VirtualAddress $Vip -Port 80
        $plain = $svc | ForEach-Object -Parallel { $_.Conns; $_.RealServers.Count }
        $plain[0] | Should -BeGreaterOrEqual 6
        $plain[1] | Should -Be 2
        $json = $svc | ForEach-Object -Parallel { Import-Module $using:Psd1; $_ | ConvertTo-Json -Compress }
        $json | Should -Match ('"VirtualAddress":"' + [regex]::Escape("$Vip") + '"')
        $json | Should -Match '"Conns":\d'
    }
}

Describe 'Export-Csv and Import-Csv' {
    It 'round-trips a real server: the weight edited in the CSV is the weight the director then has' {
        $f = Join-Path $TestDrive 'rs.csv'
        Get-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 | Export-Csv -Path $f
        $text = Get-Content -Path $f -Raw
        $text | Should -Not -Match 'System\.Collections|LvsPS\.Ipvs\.Model\.LvsStatistics'
        $rows = @(Import-Csv -Path $f)
        $rows.Count | Should -Be 2
        $rows[0].VirtualAddress | Should -Be "$Vip"
        $rows[0].Protocol | Should -Be 'Tcp'
        $target = $rows[0].RealAddress
        $other = $rows[1].RealAddress
        $rows[0].Weight | Should -Be '1'
        $rows[0].Weight = '7'
        $rows | Export-Csv -Path $f
        Import-Csv -Path $f | Set-LvsRealServer -Confirm:$false
        (Get-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $target).Weight | Should -Be 7
        (Get-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $other).Weight | Should -Be 1
        (Get-LvsService -AsText -Director $LabName) -join "`n" | Should -Match ("-> " + [regex]::Escape($target) + ':80\s+Route\s+7\s')
        Set-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $target -Weight 1 -Confirm:$false
    }

    It 'writes a service''s real servers and counters as text, and Set-LvsService binds the scheduler from the CSV' {
        $f = Join-Path $TestDrive 'svc.csv'
        Get-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 | Export-Csv -Path $f
        $row = Import-Csv -Path $f
        $row.RealServers -split ', ' | Sort-Object | Should -Be @($RsAddresses | ForEach-Object { "${_}:80" } | Sort-Object)
        $row.Statistics | Should -Match '^Conns=\d+ InPkts='
        [int]$row.Conns | Should -BeGreaterOrEqual 6
        $row.Scheduler = 'Wlc'
        $row | Set-LvsService -Confirm:$false
        (Get-LvsService -Director $LabName -VirtualAddress $Vip -Port 80).Scheduler | Should -Be 'Wlc'
        Set-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler rr -Confirm:$false
    }
}

Describe 'One name per count' {
    It 'shows ActiveConnections and InactiveConnections once each in Format-List *, without ActiveConn/InActConn' {
        foreach ($o in @(Get-LvsService -Director $LabName -VirtualAddress $Vip -Port 80) + @(Get-LvsRealServer -Director $LabName)) {
            $text = $o | Format-List * | Out-String -Width 200
            ([regex]::Matches($text, '(?m)^ActiveConnections\s+:')).Count | Should -Be 1
            ([regex]::Matches($text, '(?m)^InactiveConnections\s+:')).Count | Should -Be 1
            $text | Should -Not -Match '(?m)^(ActiveConn|InActConn)\s+:'
        }
    }
}

Describe 'Default views within 80 columns' {
    BeforeAll {
        New-LvsService -Director $LabName -VirtualAddress $Vip -Port 53 -Protocol Udp -Scheduler wlc -Persistent 300 | Out-Null
        Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 53 -Protocol Udp -RealAddress $RsAddresses[0] -Forwarding Route | Out-Null
        New-LvsService -Director $LabName -FirewallMark 5 -Scheduler sh -SchedulerFlags Fallback | Out-Null
        New-LvsFirewallMarkRule -Director $LabName -Mark 5 -Address $Vip -Protocol Tcp -PortFrom 8000 -PortTo 8100 | Out-Null
        Add-LvsHealthCheck -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $RsAddresses[0] -Type Tcp | Out-Null
        $rules = Join-Path $TestDrive 'ipvsadm.rules'
        Set-Content -Path $rules -Value @("-A -t ${Vip}:443 -s wrr -p 600", "-a -t ${Vip}:443 -r $($RsAddresses[0]):443 -g -w 2", "-a -t ${Vip}:443 -r $($RsAddresses[1]):443 -g -w 1")
        $script:Rules = $rules
    }

    It 'renders <What> with its key columns in at most 80 columns' -ForEach @(
        @{ What = 'Get-LvsService (ipvsadm layout)'; Script = { Get-LvsService -Director $LabName }; Keys = 'Prot LocalAddress:Port Scheduler Flags', '-> RemoteAddress:Port' }
        @{ What = 'Get-LvsService | Format-Table'; Script = { Get-LvsService -Director $LabName | Format-Table }; Keys = 'Prot', 'LocalAddress:Port', 'Sched', 'Flags', 'Persist', 'RS', 'ActiveConn', 'InActConn', ' rr ', ' wlc ', '300', 'Fallback', 'FWM' }
        @{ What = 'Get-LvsService -Stats'; Script = { Get-LvsService -Director $LabName -Stats }; Keys = 'Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes' }
        @{ What = 'Get-LvsService -Rate'; Script = { Get-LvsService -Director $LabName -Rate }; Keys = 'CPS', 'InPPS', 'OutPPS', 'InBPS', 'OutBPS' }
        @{ What = 'Get-LvsService -Thresholds'; Script = { Get-LvsService -Director $LabName -Thresholds }; Keys = 'RemoteAddress:Port', 'Uthreshold', 'Lthreshold', ' 50 ', ' 10 ' }
        @{ What = 'Get-LvsService -PersistentConn'; Script = { Get-LvsService -Director $LabName -PersistentConn }; Keys = 'RemoteAddress:Port', 'PersistConn', 'ActiveConn' }
        @{ What = 'Get-LvsRealServer'; Script = { Get-LvsRealServer -Director $LabName }; Keys = 'RemoteAddress:Port', 'Forward', 'Weight', 'ActiveConn', 'InActConn', 'State', 'TCP' }
        @{ What = 'Get-LvsConnection'; Script = { Get-LvsConnection -Director $LabName }; Keys = 'Pro', 'Expire', 'State', 'Source', 'Virtual', 'Destination' }
        @{ What = 'Get-LvsHealth'; Script = { Get-LvsHealth -Director $LabName }; Keys = 'RemoteAddress:Port', 'State', 'Reason' }
        @{ What = 'Get-LvsHealthCheck'; Script = { Get-LvsHealthCheck -Director $LabName }; Keys = 'RemoteAddress:Port', 'Check', 'Every' }
        @{ What = 'Get-LvsDirector'; Script = { Get-LvsDirector -Name $LabName }; Keys = 'Name', 'Running', 'Role' }
        @{ What = 'Get-LvsDirectorLog'; Script = { Get-LvsDirectorLog -Director $LabName | Select-Object -Last 5 }; Keys = 'Time', 'Severity', 'Source', 'Message' }
        @{ What = 'Get-LvsFirewallMarkRule'; Script = { Get-LvsFirewallMarkRule -Director $LabName }; Keys = 'Mark', 'Protocol', 'Address', 'Ports', '8000-8100' }
        @{ What = 'Get-LvsTimeout'; Script = { Get-LvsTimeout -Director $LabName }; Keys = 'Tcp', 'TcpFin', 'Udp' }
        @{ What = 'Import-LvsConfiguration'; Script = { Import-LvsConfiguration -Path $Rules }; Keys = 'Prot', 'LocalAddress:Port', 'Sched', 'Persist', 'RealServers', 'wrr', '600', ':443,' }
        @{ What = 'Get-LvsLab'; Script = { Get-LvsLab -Name $LabName }; Keys = 'Name' }
        @{ What = 'a VRRP instance'; Script = { [LvsPS.Ipvs.Vrrp.VrrpInstanceStatus]@{ Name = 'VI_1'; Director = $LabName; State = 'Master'; VirtualRouterId = 51; Priority = 150; Interface = 'eth0'; VirtualAddresses = [ipaddress[]]@($Vip) } }; Keys = 'Name', 'State', 'Vrid', 'Prio', 'VI_1' }
        @{ What = 'a sync daemon'; Script = { [LvsPS.Ipvs.Sync.SyncDaemonStatus]@{ Director = $LabName; Role = 'Master'; Interface = 'eth0'; SyncId = 1 } }; Keys = 'Role', 'Iface', 'SyncId', 'Group' }
        @{ What = 'a traffic record'; Script = { [LvsPS.Ipvs.Director.LvsTrafficRecord]@{ Time = [datetime]::UtcNow; ClientAddress = '10.184.9.9'; ClientPort = 40000; VirtualAddress = $Vip; Port = 80; RealAddress = $RsAddresses[0]; DestinationMac = '02:00:00:00:00:03' } }; Keys = 'Time', 'Client', 'Virtual', 'RealServer' }
        @{ What = 'a check result'; Script = { [LvsPS.Management.Checks.LvsCheckResult]@{ Check = 'ArpHidden'; Target = 'rs1'; Result = 'Passed'; Message = 'ARP is hidden' } }; Keys = 'Passed' }
    ) {
        $text = & $Script | Out-String -Width 80
        $text.Trim() | Should -Not -BeNullOrEmpty -Because "$What gives output"
        Assert-Within80 $text $What
        foreach ($k in $Keys) { $text | Should -BeLike "*$k*" -Because "$What shows $k" }
    }

    It 'keeps Format-Table -View Stats for the objects of a plain Get-LvsService' {
        $text = Get-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 | Format-Table -View Stats | Out-String -Width 80
        $text | Should -BeLike '*InBytes*'
    }

    AfterAll {
        Remove-LvsService -Director $LabName -VirtualAddress $Vip -Port 53 -Protocol Udp -Confirm:$false
        Remove-LvsService -Director $LabName -FirewallMark 5 -Confirm:$false
        Remove-LvsHealthCheck -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $RsAddresses[0] -Type Tcp -Confirm:$false
    }
}

Describe '-Stats, -Rate, -Thresholds and -PersistentConn without -AsText' {
    It 'return objects under pwsh -NonInteractive, and -AsText still the ipvsadm text' {
        $script = "Import-Module '$Psd1'; foreach (`$v in 'Stats', 'Rate', 'Thresholds', 'PersistentConn') { `$p = @{ Director = '$LabName'; `$v = `$true }; Get-LvsService @p | ForEach-Object { '{0} {1} {2}' -f `$v, `$_.GetType().Name, `$_.pstypenames[0] } }; Get-LvsService -Director '$LabName' -Stats -AsText"
        $env:NO_COLOR = '1'
        try { $out = & $Dotnet pwsh -NoLogo -NoProfile -NonInteractive -Command $script 2>&1 | ForEach-Object { "$_" } }
        finally { Remove-Item Env:NO_COLOR }
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        $out | Should -Contain 'Stats LvsService LvsPS.Ipvs.Model.LvsService#Stats'
        $out | Should -Contain 'Rate LvsService LvsPS.Ipvs.Model.LvsService#Rate'
        @($out | Where-Object { $_ -eq 'Thresholds LvsRealServer LvsPS.Ipvs.Model.LvsRealServer#Thresholds' }).Count | Should -Be 2
        @($out | Where-Object { $_ -eq 'PersistentConn LvsRealServer LvsPS.Ipvs.Model.LvsRealServer#PersistentConn' }).Count | Should -Be 2
        $text = $out -join "`n"
        $text | Should -Match '(?m)^IP Virtual Server version \S+ \(size=\d+\)'
        $text | Should -Match '(?m)^Prot LocalAddress:Port\s+Conns\s+InPkts\s+OutPkts\s+InBytes\s+OutBytes'
    }

    It 'gives the counters the requests made in the -Stats objects' {
        $s = Get-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Stats
        $s.Conns | Should -BeGreaterOrEqual 6
        $s.PSTypeNames[0] | Should -Be 'LvsPS.Ipvs.Model.LvsService#Stats'
    }
}

Describe 'Services named as ipvsadm names them' {
    BeforeAll {
        New-LvsService -Director $LabName "udp/${Vip}:53" -Scheduler rr | Out-Null
        New-LvsService -Director $LabName fwm/5 -Scheduler rr | Out-Null
    }
    AfterAll {
        Remove-LvsService -Director $LabName "udp/${Vip}:53" -Confirm:$false
        Remove-LvsService -Director $LabName fwm/5 -Confirm:$false
    }

    It 'finds <Name> with Get-LvsService' -ForEach @(
        @{ Name = 'tcp/VIP:80'; Expected = 'TCP VIP:80' }
        @{ Name = 'VIP:80'; Expected = 'TCP VIP:80' }
        @{ Name = 'udp/VIP:53'; Expected = 'UDP VIP:53' }
        @{ Name = 'fwm/5'; Expected = 'FWM 5' }
        @{ Name = 'TCP VIP:80'; Expected = 'TCP VIP:80' }
    ) {
        $n = $Name -replace 'VIP', "$Vip"
        @(Get-LvsService -Director $LabName $n).Name | Should -Be @($Expected -replace 'VIP', "$Vip")
        @(Get-LvsService -Director $LabName -Service $n).Name | Should -Be @($Expected -replace 'VIP', "$Vip")
    }

    It 'lists only the UDP service for udp/VIP (a name without a port)' {
        @(Get-LvsService -Director $LabName "udp/$Vip").Name | Should -Be @("UDP ${Vip}:53")
        @(Get-LvsService -Director $LabName "$Vip").Count | Should -Be 2
    }

    It 'changes a service and a real server named positionally' {
        Set-LvsService -Director $LabName "tcp/${Vip}:80" -Scheduler wlc -Confirm:$false
        (Get-LvsService -Director $LabName "${Vip}:80").Scheduler | Should -Be 'Wlc'
        Set-LvsService -Director $LabName "tcp/${Vip}:80" -Scheduler rr -Confirm:$false
        Set-LvsRealServer -Director $LabName "tcp/${Vip}:80" -RealAddress $RsAddresses[1] -Weight 4 -Confirm:$false
        (Get-LvsRealServer -Director $LabName "tcp/${Vip}:80" -RealAddress $RsAddresses[1]).Weight | Should -Be 4
        Set-LvsRealServer -Director $LabName "tcp/${Vip}:80" -RealAddress $RsAddresses[1] -Weight 1 -Confirm:$false
        Add-LvsRealServer -Director $LabName "udp/${Vip}:53" -RealAddress $RsAddresses[0] | Out-Null
        (Get-LvsRealServer -Director $LabName "udp/${Vip}:53").RealAddress | Should -Be $RsAddresses[0]
        Remove-LvsRealServer -Director $LabName "udp/${Vip}:53" -RealAddress $RsAddresses[0] -Confirm:$false
        @(Get-LvsRealServer -Director $LabName "udp/${Vip}:53") | Should -BeNullOrEmpty
    }

    It 'reads an IPv6 name (the engine has no IPv6 service: ServiceNotFound naming it)' {
        $e = $null
        Get-LvsService -Director $LabName '[2001:db8::184]:80' -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeLike 'ServiceNotFound,*'
        "$($e[0])" | Should -BeLike "*'[[]2001:db8::184[]]:80'*"
    }

    It 'refuses bad text with an error naming the value' {
        { Get-LvsService -Director $LabName "tcp/${Vip}:99999" -ErrorAction Stop } | Should -Throw -ExpectedMessage "*'tcp/${Vip}:99999' is not a virtual service*"
        { Set-LvsService -Director $LabName 'icmp/10.184.0.1:80' -Scheduler rr -Confirm:$false -ErrorAction Stop } | Should -Throw -ExpectedMessage "*'icmp' is no protocol*"
        { Set-LvsService -Director $LabName "tcp/${Vip}:80" -Port 81 -Scheduler rr -Confirm:$false -ErrorAction Stop } | Should -Throw -ExpectedMessage '*-Port 81 does not agree*'
    }
}

Describe 'Address lists given as text stay the object''s own lists' {
    It 'adds to, reads and removes from a VRRP instance''s VIPs built in script; ConvertTo-Json writes them as text' {
        $v = [LvsPS.Ipvs.Vrrp.VrrpInstanceSpec]::new()
        # Add emits nothing (as List<T>.Add), so a function that builds a spec returns the spec alone
        $v.VirtualAddresses.Add([ipaddress]'10.9.0.5') | Should -BeNullOrEmpty
        $v.VirtualAddresses.Add('10.9.0.6')
        $own = [LvsPS.Ipvs.Vrrp.VrrpInstanceSpec].GetProperty('VirtualAddresses').GetValue($v.psobject.BaseObject)
        $own.Count | Should -Be 2
        $own | ForEach-Object { $_.GetType().FullName | Should -Be 'System.Net.IPAddress' }
        $v.VirtualAddresses.ToString() | Should -Be '10.9.0.5,10.9.0.6'
        ($v | ConvertTo-Json -Compress) | Should -Match '"VirtualAddresses":\["10\.9\.0\.5","10\.9\.0\.6"\]'
        { $v.VirtualAddresses.Add('300.1.1.1') } | Should -Throw '*300.1.1.1*'
        $own.Count | Should -Be 2
        $v.VirtualAddresses.Remove('10.9.0.5')
        @($v.VirtualAddresses) | Should -Be @('10.9.0.6')
    }
}
