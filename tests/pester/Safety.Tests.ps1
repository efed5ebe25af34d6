#Requires -Version 7.4
# The safety of the destructive cmdlets on a real engine lab (client, lvsd director, two real servers): each one is
# ConfirmImpact High, so at the default $ConfirmPreference (High) it asks, and a host that cannot ask (a runspace
# without a UI, as a CI runner's non-interactive pwsh) refuses it with HostFunctionNotImplemented and nothing is
# removed; -Force removes without asking and Get-* shows it gone; -WhatIf changes nothing. New-LvsLab -WhatIf fails
# as the real run does (a bad name, a subnet in use, 300.1.1.0/24) and builds nothing; Import-LvsConfiguration of a
# directory says so; Invoke-LvsLabCommand's LabCommandFailed message ends cleanly without stderr.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1') -LabParameters @{ NamePrefix = 'safe'; Network = '10.181'; RealServerCount = 2; StartDirector = $true; HideRealServers = $true }
    $script:Rs1 = $TestLab.RealServers['rs1'].ToString()
    $script:Rs2 = $TestLab.RealServers['rs2'].ToString()
    $script:Net = $TestLab.Subnet -replace '\.0/24$', ''
    $script:Psd1 = Join-Path (Get-LvsTestRoot) 'LvsPS.psd1'

    # Runs a script in a new runspace of this process without a host UI: a ShouldProcess that has to ask fails
    # there with HostFunctionNotImplemented, as in a non-interactive host. Returns its output and errors.
    function script:Hostless([string]$Script) {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$Psd1'; `$ConfirmPreference = 'High'; $Script")
            $out = $ps.Invoke()
            [pscustomobject]@{ Output = @($out); Errors = @($ps.Streams.Error) }
        } finally { $ps.Dispose() }
    }

    # What the director keeps (rules with thresholds, timeouts, mark rules, checkers, VRRP, sync daemons): equal = unchanged.
    function script:Snapshot {
        @(
            Export-LvsConfiguration -Director $LabName -Format IpvsadmRules -IncludeThresholds
            (Get-LvsTimeout -Director $LabName).ToString()
            Get-LvsFirewallMarkRule -Director $LabName | ForEach-Object ToString
            Get-LvsHealthCheck -Director $LabName | ForEach-Object { "$($_.RealAddress) $($_.Type)" }
            Get-LvsVrrpInstance -Director $LabName | ForEach-Object Name
            Get-LvsSyncDaemon -Director $LabName | ForEach-Object { "$($_.Role) $($_.SyncId)" }
        ) -join "`n"
    }

    function script:Seed {
        Get-LvsService -Director $LabName | Remove-LvsService -Director $LabName -Force
        Get-LvsFirewallMarkRule -Director $LabName | Remove-LvsFirewallMarkRule -Director $LabName -Force
        Get-LvsVrrpInstance -Director $LabName | Remove-LvsVrrpInstance -Director $LabName -Force
        Stop-LvsSyncDaemon -Director $LabName -Force
        New-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler rr | Out-Null
        Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs1
        Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs2
        New-LvsService -Director $LabName -VirtualAddress $Vip -Port 23 -Scheduler rr | Out-Null
        Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 23 -RealAddress $Rs1
        Add-LvsHealthCheck -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs1 -Type Misc -Command /bin/true | Out-Null
        New-LvsFirewallMarkRule -Director $LabName -Mark 7 -Address "$Net.150" -Protocol Tcp | Out-Null
        New-LvsVrrpInstance -Director $LabName -Name VI_S -Interface eth0 -VirtualRouterId 71 -Priority 150 -VirtualAddress "$Net.151" | Out-Null
        Start-LvsSyncDaemon -Director $LabName -Role Master -Interface eth0 -SyncId 5 | Out-Null
    }
}

AfterAll {
    Remove-LvsTestLab -Name $script:LabName
}

Describe 'Destructive cmdlets: a non-interactive host refuses them, -Force removes, -WhatIf changes nothing' {
    BeforeEach { Seed }

    It '<Command> asks (HostFunctionNotImplemented without a UI) and keeps it; -WhatIf keeps it; -Force removes it' -ForEach @(
        @{ Command = 'Remove-LvsService -Director $L -VirtualAddress $V -Port 23'; Operation = 'Remove LVS service'
           Exists = { Get-LvsService -Director $LabName -VirtualAddress $Vip -Port 23 -ErrorAction SilentlyContinue } }
        @{ Command = 'Remove-LvsRealServer -Director $L -VirtualAddress $V -Port 80 -RealAddress $R'; Operation = 'Remove LVS real server'
           Exists = { Get-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs2 } }
        @{ Command = 'Remove-LvsHealthCheck -Director $L -VirtualAddress $V -Port 80 -RealAddress $R1 -Type Misc'; Operation = 'Remove health check MISC_CHECK /bin/true'
           Exists = { Get-LvsHealthCheck -Director $LabName } }
        @{ Command = 'Remove-LvsFirewallMarkRule -Director $L -Mark 7 -Address "$N.150" -Protocol Tcp'; Operation = 'Remove firewall-mark rule'
           Exists = { Get-LvsFirewallMarkRule -Director $LabName } }
        @{ Command = 'Remove-LvsVrrpInstance -Director $L -Name VI_S'; Operation = 'Remove VRRP instance'
           Exists = { Get-LvsVrrpInstance -Director $LabName } }
        @{ Command = 'Stop-LvsSyncDaemon -Director $L'; Operation = 'Stop sync daemon'
           Exists = { Get-LvsSyncDaemon -Director $LabName } }
    ) {
        $vars = "`$L = '$LabName'; `$V = '$Vip'; `$R = '$Rs2'; `$R1 = '$Rs1'; `$N = '$Net'; "
        $before = Snapshot

        $r = Hostless ($vars + $Command)
        $r.Errors.Count | Should -Be 1
        $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'HostFunctionNotImplemented,LvsPS.Commands.*'
        $r.Errors[0].Exception.Message | Should -BeLike "*Performing the operation ""$Operation""*"
        & $Exists | Should -Not -BeNullOrEmpty
        Snapshot | Should -BeExactly $before

        $r = Hostless ($vars + $Command + ' -Force -WhatIf')
        $r.Errors | Should -BeNullOrEmpty
        & $Exists | Should -Not -BeNullOrEmpty
        Snapshot | Should -BeExactly $before

        # -Confirm:$false also passes a script that must not ask
        $r = Hostless ($vars + $Command + ' -Force')
        $r.Errors | Should -BeNullOrEmpty
        & $Exists | Should -BeNullOrEmpty
        Snapshot | Should -Not -Be $before
    }

    It 'Clear-LvsCounter asks, and with -Force zeroes the counters' {
        Invoke-LvsTestRequest -Count 4 | Out-Null
        (Get-LvsService -Director $LabName -VirtualAddress $Vip -Port 80).Statistics.Connections | Should -BeGreaterThan 0
        $r = Hostless "Clear-LvsCounter -Director '$LabName'"
        $r.Errors[0].FullyQualifiedErrorId | Should -Be 'HostFunctionNotImplemented,LvsPS.Commands.ClearLvsCounterCommand'
        (Get-LvsService -Director $LabName -VirtualAddress $Vip -Port 80).Statistics.Connections | Should -BeGreaterThan 0
        Clear-LvsCounter -Director $LabName -WhatIf
        (Get-LvsService -Director $LabName -VirtualAddress $Vip -Port 80).Statistics.Connections | Should -BeGreaterThan 0
        (Hostless "Clear-LvsCounter -Director '$LabName' -Force").Errors | Should -BeNullOrEmpty
        (Get-LvsService -Director $LabName -VirtualAddress $Vip -Port 80).Statistics.Connections | Should -Be 0
    }

    It 'Sync-LvsConfiguration asks for a removal (-Prune), makes an Add without asking, and with -Force prunes' {
        $rules = Join-Path $TestDrive 'one.rules'
        Set-Content -LiteralPath $rules -Value "-A -t ${Vip}:80 -s rr`n-a -t ${Vip}:80 -r ${Rs1}:80 -g -w 1`n-a -t ${Vip}:80 -r ${Rs2}:80 -g -w 1`n-A -t ${Vip}:81 -s rr"
        $r = Hostless "Sync-LvsConfiguration -Director '$LabName' -Path '$rules' -Prune"
        $r.Errors.Count | Should -Be 1
        $r.Errors[0].FullyQualifiedErrorId | Should -Be 'HostFunctionNotImplemented,LvsPS.Commands.SyncLvsConfigurationCommand'
        $r.Errors[0].Exception.Message | Should -BeLike "*""Remove"" on target ""TCP ${Vip}:23 on director '$LabName'""*"
        Get-LvsService -Director $LabName -VirtualAddress $Vip -Port 23 | Should -Not -BeNullOrEmpty
        Get-LvsService -Director $LabName -VirtualAddress $Vip -Port 81 | Should -Not -BeNullOrEmpty
        (Hostless "Sync-LvsConfiguration -Director '$LabName' -Path '$rules' -Prune -Force").Errors | Should -BeNullOrEmpty
        (Get-LvsService -Director $LabName).Port | Sort-Object | Should -Be @(80, 81)
    }

    It 'Invoke-LvsAdm asks for -D and deletes with -Confirm:$false' {
        $r = Hostless "Invoke-LvsAdm '-D -t ${Vip}:23' -Director '$LabName'"
        $r.Errors[0].FullyQualifiedErrorId | Should -Be 'HostFunctionNotImplemented,LvsPS.Commands.InvokeLvsAdmCommand'
        Get-LvsService -Director $LabName -VirtualAddress $Vip -Port 23 | Should -Not -BeNullOrEmpty
        (Hostless "Invoke-LvsAdm '-E -t ${Vip}:23 -s wlc' -Director '$LabName'").Errors | Should -BeNullOrEmpty
        (Hostless "Invoke-LvsAdm '-D -t ${Vip}:23' -Director '$LabName' -Confirm:`$false").Errors | Should -BeNullOrEmpty
        Get-LvsService -Director $LabName -VirtualAddress $Vip -Port 23 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'Stop-LvsDirector asks and leaves it running; -WhatIf too; -Force stops it' {
        $r = Hostless "Stop-LvsDirector -Name '$LabName'"
        $r.Errors[0].FullyQualifiedErrorId | Should -Be 'HostFunctionNotImplemented,LvsPS.Commands.StopLvsDirectorCommand'
        (Get-LvsDirector -Name $LabName).Running | Should -BeTrue
        Stop-LvsDirector -Name $LabName -WhatIf
        (Get-LvsDirector -Name $LabName).Running | Should -BeTrue
        try {
            (Hostless "Stop-LvsDirector -Name '$LabName' -Force").Errors | Should -BeNullOrEmpty
            (Get-LvsDirector -Name $LabName -All).Running | Should -BeFalse
        } finally {
            if (-not (Get-LvsDirector -Name $LabName -ErrorAction SilentlyContinue).Running) { Start-LvsDirector -Lab $LabName | Out-Null }
        }
        (Get-LvsDirector -Name $LabName).Running | Should -BeTrue
    }
}

Describe 'Remove-LvsLab' {
    BeforeAll {
        $script:Other = New-LvsTestLab -NamePrefix safe -Network 10.182 -RealServerCount 1
    }
    AfterAll { Remove-LvsTestLab -Name $script:Other.Name }

    It 'asks and keeps the lab; -WhatIf keeps it; -Force removes it, namespaces and all' {
        $name = $Other.Name
        $r = Hostless "Remove-LvsLab -Name '$name'"
        $r.Errors[0].FullyQualifiedErrorId | Should -Be 'HostFunctionNotImplemented,LvsPS.Commands.RemoveLvsLabCommand'
        Get-LvsLab -Name $name | Should -Not -BeNullOrEmpty
        Remove-LvsLab -Name $name -WhatIf
        Get-LvsLab -Name $name | Should -Not -BeNullOrEmpty
        (Hostless "Remove-LvsLab -Name '$name' -Force").Errors | Should -BeNullOrEmpty
        { Get-LvsLab -Name $name -ErrorAction Stop } | Should -Throw -ErrorId 'LabNotFound,LvsPS.Commands.GetLvsLabCommand'
        @(ip netns list) -match "^lvs-$name-" | Should -BeNullOrEmpty
    }
}

Describe 'New-LvsLab -WhatIf checks what the real run checks' {
    It 'gives <Id> for <Why>, as the real run does, and builds nothing' -ForEach @(
        @{ Why = 'a bad name'; Name = '9safe'; Subnet = '10.182.77.0/24'; Id = 'InvalidArgument' }
        @{ Why = 'a subnet that overlaps the lab''s'; Name = 'safewhatif'; Subnet = 'LAB'; Id = 'LabSubnetInUse' }
        @{ Why = '300.1.1.0/24'; Name = 'safewhatif'; Subnet = '300.1.1.0/24'; Id = 'InvalidSubnet' }
        @{ Why = 'an existing lab''s name'; Name = 'LAB'; Subnet = '10.182.78.0/24'; Id = 'LabExists' }
    ) {
        $n = if ($Name -eq 'LAB') { $LabName } else { $Name }
        $s = if ($Subnet -eq 'LAB') { $TestLab.Subnet } else { $Subnet }
        $whatIf = $null; $real = $null
        try { New-LvsLab -Name $n -Subnet $s -WhatIf -ErrorAction Stop } catch { $whatIf = $_ }
        try { New-LvsLab -Name $n -Subnet $s -ErrorAction Stop } catch { $real = $_ }
        $whatIf.FullyQualifiedErrorId | Should -Be "$Id,LvsPS.Commands.NewLvsLabCommand"
        $real.FullyQualifiedErrorId | Should -Be $whatIf.FullyQualifiedErrorId
        $real.Exception.Message | Should -Be $whatIf.Exception.Message
        if ($n -ne $LabName) {
            { Get-LvsLab -Name $n -ErrorAction Stop } | Should -Throw -ErrorId 'LabNotFound,LvsPS.Commands.GetLvsLabCommand'
            @(ip netns list) -match "^lvs-$n-" | Should -BeNullOrEmpty
        }
    }

    It 'still says What if for a good lab, and builds nothing' {
        New-LvsLab -Name safewhatif -Subnet 10.182.79.0/24 -WhatIf
        { Get-LvsLab -Name safewhatif -ErrorAction Stop } | Should -Throw -ErrorId 'LabNotFound,LvsPS.Commands.GetLvsLabCommand'
    }
}

Describe 'Error messages' {
    It 'Import-LvsConfiguration of a directory says it is a directory' {
        $dir = Join-Path $TestDrive 'conf.d'
        New-Item -ItemType Directory -Path $dir | Out-Null
        foreach ($format in 'Auto', 'Keepalived') {
            $e = $null
            try { Import-LvsConfiguration -Path $dir -Format $format -ErrorAction Stop } catch { $e = $_ }
            $e.FullyQualifiedErrorId | Should -Be 'ConfigFileNotFound,LvsPS.Commands.ImportLvsConfigurationCommand'
            $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $e.Exception.Message | Should -Be "'$dir' is a directory, not a configuration file; give the path of a file in it."
        }
    }

    It 'LabCommandFailed names the exit code, and stderr only when there is some' {
        Invoke-LvsLabCommand -Lab $LabName -Node client -Command 'exit 3' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'LabCommandFailed,LvsPS.Commands.InvokeLvsLabCommandCommand'
        $err[0].Exception.Message | Should -Be "'exit 3' on client of lab '$LabName' exited with code 3 (nothing on stderr)."
        Invoke-LvsLabCommand -Lab $LabName -Node client -Command 'echo oops >&2; exit 4' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.Message | Should -Be "'echo oops >&2; exit 4' on client of lab '$LabName' exited with code 4: oops"
    }
}
