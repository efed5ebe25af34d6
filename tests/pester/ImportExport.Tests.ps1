#Requires -Version 7.4
# Import-LvsConfiguration and Export-LvsConfiguration on files only: no director, no lab, no root needed.
# Every format is imported with -Format Auto, exported from objects and imported again.

BeforeAll {
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'LvsPS.TestHelpers.psm1') -Force
    Import-LvsTestModule

    # Every configurable field of a set of services, in a fixed order (ipvsadm-save -n sorts services and real
    # servers; with thresholds, LvsPS writes -x/-y, which ipvsadm -S leaves out).
    function script:Canon([object[]]$Services) {
        [LvsPS.Management.Text.IpvsadmFormatter]::FormatSave([LvsPS.Ipvs.Model.LvsService[]]@($Services), $true)
    }
    function script:AsServices { process { $_.ToLvsService() } }

    $script:ServicesFile = Join-Path $TestDrive 'services'
    "telnet`t`t23/tcp`nhttp`t`t80/tcp`t`twww`ndomain`t`t53/udp`nhttps`t`t443/tcp`n" | Set-Content -Path $ServicesFile -NoNewline
    $script:HostsFile = Join-Path $TestDrive 'hosts'
    "192.168.0.3 rs1`n192.168.0.4 rs2`n192.168.0.101 lvs`n" | Set-Content -Path $HostsFile -NoNewline
    $script:Names = @{ HostsFile = $HostsFile; ServicesFile = $ServicesFile }

    # The walkthrough's lvs_dr.conf (names resolved by the hosts and services files above).
    $script:DrConf = Join-Path $TestDrive 'lvs_dr.conf'
    New-LvsTestDrConf -Path $DrConf -VirtualAddress 192.168.0.101 -DirectorAddress 192.168.0.1

    # ipvsadm-save -n output with the things admins add: comments, long options, "ipvsadm" words.
    $script:Rules = Join-Path $TestDrive 'ipvsadm.rules'
    @'
# saved with ipvsadm-save -n
-A -t 192.168.0.101:80 -s wlc
-a -t 192.168.0.101:80 -r 192.168.0.3:80 -g -w 1
-a -t 192.168.0.101:80 -r 192.168.0.4:80 -g -w 0   # drained
-A -t 192.168.0.101:443 -s rr -p 360 -M 255.255.255.0
-a -t 192.168.0.101:443 -r 192.168.0.3:443 -g -w 2 -x 1000 -y 750
ipvsadm --add-service --udp-service 192.168.0.102:domain --scheduler sed --persistent 60
ipvsadm -a -u 192.168.0.102:53 -r 192.168.0.5:5353 -m -w 3
ipvsadm -a -u 192.168.0.102:53 -r 192.168.0.6:53 -i -w 1 --tun-type ipip
'@ | Set-Content -Path $Rules

    # A keepalived.conf with VRRP around the LVS part.
    $script:Keepalived = Join-Path $TestDrive 'keepalived.conf'
    @'
! Configuration File for keepalived
global_defs {
    router_id LVS_DEVEL
}
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 100
    virtual_ipaddress {
        192.168.0.101
    }
}
virtual_server 192.168.0.101 80 {
    delay_loop 6
    lb_algo wrr
    lb_kind DR
    protocol TCP
    persistence_timeout 300
    real_server 192.168.0.3 80 {
        weight 2
        uthreshold 50
        TCP_CHECK {
            connect_timeout 3
        }
    }
    real_server 192.168.0.4 80 {
        weight 1
        HTTP_GET {
            url {
                path /test.html
                status_code 200
            }
        }
    }
}
'@ | Set-Content -Path $Keepalived
}

Describe 'Import-LvsConfiguration -Format Auto' {
    It 'reads the walkthrough''s lvs_dr.conf' {
        $s = @(Import-LvsConfiguration $DrConf @Names)
        $s.Count | Should -Be 2
        $s[0].Port | Should -Be 23
        $s[1].Port | Should -Be 80
        $s[1].RealServers.RealAddress | Should -Be @('192.168.0.3', '192.168.0.4')
        $s[1].RealServers[0].Forwarding | Should -Be 'Route'
    }

    It 'reads ipvsadm rules with persistence, thresholds and long options' {
        $s = @(Import-LvsConfiguration $Rules -Format Auto @Names)
        $s.Count | Should -Be 3
        $s[1].PersistentTimeout | Should -Be 360
        $s[1].PersistenceNetmask | Should -Be '255.255.255.0'
        $s[1].RealServers[0].UpperThreshold | Should -Be 1000
        $s[1].RealServers[0].LowerThreshold | Should -Be 750
        $s[2].Protocol | Should -Be 'Udp'
        $s[2].Port | Should -Be 53
        $s[2].Scheduler | Should -Be 'Sed'
        $s[2].PersistentTimeout | Should -Be 60
        $s[2].RealServers.Forwarding | Should -Be @('Masq', 'Tunnel')
        $conf = Import-LvsConfiguration $Rules @Names -AsConfiguration
        $conf | Should -BeOfType ([LvsPS.Management.Config.IpvsadmRules])
        $conf.Clears | Should -BeFalse
    }

    It 'reads the virtual_server blocks of keepalived.conf and skips the rest' {
        $s = @(Import-LvsConfiguration $Keepalived @Names)
        $s.Count | Should -Be 1
        $s[0].Scheduler | Should -Be 'Wrr'
        $s[0].PersistentTimeout | Should -Be 300
        $s[0].RealServers.Weight | Should -Be @(2, 1)
        $s[0].RealServers[0].UpperThreshold | Should -Be 50
        $conf = Import-LvsConfiguration $Keepalived @Names -AsConfiguration
        $conf.HealthChecks.Name | Should -Be @('TCP_CHECK', 'HTTP_GET')
    }

    It 'reports a bad line with the file, the line and ConfigParseError, and returns nothing' {
        $bad = Join-Path $TestDrive 'bad.rules'
        "-A -t 10.0.0.1:80 -s rr`n-a -t 10.0.0.1:80 -r 10.0.0.2 -g -w 1`n-a -t 10.0.0.9:80 -r 10.0.0.3`n" | Set-Content -Path $bad -NoNewline
        $out = Import-LvsConfiguration $bad -ErrorAction SilentlyContinue -ErrorVariable err
        $out | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ConfigParseError,*'
        $err[0].Exception.Message | Should -BeLike "$($bad):3: the service TCP 10.0.0.9:80 is not defined*"
    }

    It 'refuses a file whose format it cannot tell' {
        $odd = Join-Path $TestDrive 'odd.txt'
        "# only a comment`n`nhello world`n" | Set-Content -Path $odd -NoNewline
        Import-LvsConfiguration $odd -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ConfigParseError,*'
        $err[0].Exception.Message | Should -BeLike '*-Format*'
    }

    It 'reads a file in the format it is told' {
        $s = @(Import-LvsConfiguration $Rules -Format IpvsadmRules @Names)
        $s.Count | Should -Be 3
        Import-LvsConfiguration $Rules -Format Keepalived @Names -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ConfigParseError,*'
    }
}

Describe 'Export-LvsConfiguration -InputObject' {
    It 'exports <Format> and re-imports the same services' -ForEach @(
        @{ Format = 'IpvsadmRules'; Source = 'Rules' }
        @{ Format = 'IpvsadmRules'; Source = 'Keepalived' }
        @{ Format = 'Keepalived'; Source = 'Rules' }
        @{ Format = 'Keepalived'; Source = 'DrConf' }
        @{ Format = 'LvsDrConf'; Source = 'DrConf' }
    ) {
        $file = (Get-Variable -Scope Script -Name $Source).Value
        $services = @(Import-LvsConfiguration $file @Names | AsServices)
        $out = Join-Path $TestDrive "export-$Format-$Source"
        # IpvsadmRules keeps the thresholds only with -IncludeThresholds (ipvsadm -S leaves them out).
        $more = if ($Format -eq 'IpvsadmRules') { @{ IncludeThresholds = $true } } else { @{} }
        $fi = Export-LvsConfiguration -InputObject $services -Format $Format -Path $out @more
        $fi | Should -BeOfType ([System.IO.FileInfo])
        $fi.FullName | Should -Be $out
        $back = @(Import-LvsConfiguration $out -Format Auto @Names | AsServices)
        Canon $back | Should -BeExactly (Canon $services)
        # keepalived and lvs_dr.conf keep the real servers in the order they were added
        if ($Format -ne 'IpvsadmRules') {
            ($back | ForEach-Object { $_.RealServers.RealAddress }) -join ',' | Should -Be (($services | ForEach-Object { $_.RealServers.RealAddress }) -join ',')
        }
    }

    It 'takes imported definitions from the pipeline as the services they describe' {
        $text = Import-LvsConfiguration $Keepalived @Names | Export-LvsConfiguration -Format IpvsadmRules -IncludeThresholds
        $text | Should -BeOfType ([string])
        $text | Should -BeExactly (Canon @(Import-LvsConfiguration $Keepalived @Names | AsServices))
        $text | Should -Match '(?m)^-A -t 192\.168\.0\.101:80 -s wrr -p 300$'
        $text | Should -Match '(?m)^-a -t 192\.168\.0\.101:80 -r 192\.168\.0\.3:80 -g -w 2 -x 50$'
        # Without the switch: ipvsadm -S's text, no thresholds.
        $plain = Import-LvsConfiguration $Keepalived @Names | Export-LvsConfiguration -Format IpvsadmRules
        $plain | Should -Match '(?m)^-a -t 192\.168\.0\.101:80 -r 192\.168\.0\.3:80 -g -w 2$'
        $plain | Should -Not -Match ' -[xy] '
    }

    It 'writes an rc.lvs_dr that sh accepts, executable, with quoted commands' {
        $out = Join-Path $TestDrive 'rc.lvs_dr'
        Import-LvsConfiguration $DrConf @Names | AsServices | Export-LvsConfiguration -Format RcLvsDr -Path $out -ServerVipDevice dummy0 -ServerNetDevice eth0 | Out-Null
        & sh -n $out
        $LASTEXITCODE | Should -Be 0
        (Get-Item $out).UnixFileMode.HasFlag([System.IO.UnixFileMode]::UserExecute) | Should -BeTrue
        $script = Get-Content -Raw $out
        $script | Should -Match ([regex]::Escape("ipvsadm -A -t '192.168.0.101:23' -s 'rr'"))
        $script | Should -Match ([regex]::Escape("ipvsadm -a -t '192.168.0.101:80' -r '192.168.0.3:80' -g -w '1'"))
        $script | Should -Match ([regex]::Escape("ip addr replace '192.168.0.101/32' dev 'dummy0' scope host"))
        $script | Should -Match ([regex]::Escape("sysctl -w 'net.ipv4.conf.eth0.arp_ignore=1'"))
    }

    It '-WhatIf writes no file' {
        $out = Join-Path $TestDrive 'whatif.conf'
        $services = @(Import-LvsConfiguration $DrConf @Names | AsServices)
        foreach ($format in 'IpvsadmRules', 'Keepalived', 'LvsDrConf', 'RcLvsDr') {
            Export-LvsConfiguration -InputObject $services -Format $format -Path $out -WhatIf | Should -BeNullOrEmpty
            Test-Path $out | Should -BeFalse
        }
    }

    It '-NoClobber keeps an existing file, -Force overwrites a read-only one' {
        $out = Join-Path $TestDrive 'existing.rules'
        'keep me' | Set-Content -Path $out
        $services = @(Import-LvsConfiguration $Rules @Names | AsServices)
        Export-LvsConfiguration -InputObject $services -Format IpvsadmRules -Path $out -NoClobber -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ConfigFileExists,*'
        (Get-Content -Raw $out).Trim() | Should -Be 'keep me'

        Export-LvsConfiguration -InputObject $services -Format IpvsadmRules -Path $out -IncludeThresholds | Out-Null
        Get-Content -Raw $out | Should -BeExactly (Canon $services)

        (Get-Item $out).IsReadOnly = $true
        Export-LvsConfiguration -InputObject $services -Format Keepalived -Path $out -Force | Out-Null
        Get-Content -Raw $out | Should -Match 'virtual_server 192\.168\.0\.101 443'
    }

    It 'refuses what a format cannot express' {
        $services = @(Import-LvsConfiguration $Rules @Names | AsServices)
        { Export-LvsConfiguration -InputObject $services -Format LvsDrConf } | Should -Throw -ErrorId 'ConfigNotExportable*'
    }
}
