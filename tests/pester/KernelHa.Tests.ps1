#Requires -Version 7.4
# Director failover on kernel directors (issue 10), against the real thing in kernel labs (QEMU guests with Debian's
# Linux 6.1, ipvsadm 1.31 and keepalived 2.2.7):
# - the kernel's sync daemons through KernelDirector (ipvsadm --start-daemon/--stop-daemon/-L --daemon), with
#   ipvsadm's refusals as ErrorIds;
# - VRRP instances LvsPS writes into the director's keepalived.conf: one director alone becomes master and holds the
#   VIP; behind a higher-priority Debian keepalived peer (run by this suite in the lab's rs1 namespace, killed by its
#   pid) it is backup and names the master; the peer's kill -9 makes it master again; removed, the VIP is gone.
# - two kernel directors of a pair elect by priority; kill -9 of the master's keepalived → the other takes over.
# - the pair set up from one pipeline through the cmdlets (Connect-LvsDirector, New-LvsVrrpInstance,
#   Start-LvsSyncDaemon over several directors at once), with a host that runs no kernel IPVS as its one error.
# The operations are IDirector's (the cmdlets are another helper's), called on the KernelDirector the lab registers.
# Without qemu-system-x86_64 New-LvsLab -DirectorKind Kernel fails, and so does this suite: it does not skip.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1')

    function Get-Kernel([string]$Director) {
        Get-LvsService -Director $Director | Out-Null          # connects (and registers) the lab's kernel director
        $k = $null
        if (-not [LvsPS.Management.Kernel.KernelDirectorRegistry]::TryGet($Director, [ref]$k)) { throw "no kernel director '$Director' registered" }
        $k
    }

    # The LvsException under the MethodInvocationException PowerShell wraps a .NET call's exception in.
    function Get-LvsError([scriptblock]$Call) {
        try { & $Call; return $null }
        catch {
            $e = $_.Exception
            while ($e -and $e -isnot [LvsPS.Ipvs.Model.LvsException]) { $e = $e.InnerException }
            if (-not $e) { throw }
            return $e
        }
    }

    function Wait-Until([scriptblock]$Condition, [string]$What, [double]$TimeoutSec = 30) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
        while ($true) {
            $r = & $Condition
            if ($r) { return $r }
            if ([DateTime]::UtcNow -ge $deadline) { throw "$What did not happen within $TimeoutSec s" }
            Start-Sleep -Milliseconds 300
        }
    }

    function New-Vrrp([string]$Name, [int]$Vrid, [int]$Priority, [string]$Vip, [int]$Centiseconds = 25) {
        $v = [LvsPS.Ipvs.Vrrp.VrrpInstanceSpec]::new()
        $v.Name = $Name; $v.Interface = 'eth0'; $v.VirtualRouterId = $Vrid; $v.Priority = $Priority
        $v.Version = 3; $v.AdvertIntervalCentiseconds = $Centiseconds
        $v.VirtualAddresses.Add([ipaddress]$Vip)
        $v
    }

    function Get-GuestAddresses([string]$Lab, [string]$Node) {
        (Invoke-LvsLabCommand -Lab $Lab -Node $Node -Command 'ip addr show dev eth0') -join "`n"
    }

    function Get-State($Kernel, [string]$Name) { $Kernel.ListVrrpInstances() | Where-Object Name -EQ $Name }
}

Describe 'Kernel director alone: sync daemons and a VRRP instance' {
    BeforeAll {
        $octet = 221 + (Get-Random -Maximum 4)
        $script:LabName = 'kha' + -join ((1..3) | ForEach-Object { [char](97 + (Get-Random -Maximum 26)) })
        $script:Net = "10.$octet.0"
        $created = @(New-LvsLab -Name $LabName -RealServerCount 1 -Subnet "$Net.0/24" -DirectorKind Kernel)
        $script:LabDir = "$(($created | Where-Object { $_.PSObject.Properties['Directory'] } | Select-Object -Last 1).Directory)"
        $script:K = Get-Kernel $LabName
        $script:Vip = "$Net.150"
        $script:PeerPid = $null
    }

    AfterAll {
        if ($script:PeerPid) { foreach ($p in $script:PeerPid) { & kill -9 $p 2>$null } }
        if ($script:LabName) { Remove-LvsLab -Name $script:LabName -Confirm:$false -ErrorAction Continue }
    }

    Context 'sync daemons (ip_vs_sync through ipvsadm 1.31)' {
        It 'starts a master and a backup, lists them with the kernel''s values, as ipvsadm -L --daemon does' {
            $m = [LvsPS.Ipvs.Sync.SyncDaemonSpec]::new(); $m.Role = 'Master'; $m.Interface = 'eth0'; $m.SyncId = 7
            $K.StartSyncDaemon($m)
            $b = [LvsPS.Ipvs.Sync.SyncDaemonSpec]::new(); $b.Role = 'Backup'; $b.Interface = 'eth0'; $b.SyncId = 9
            $b.Group = [ipaddress]'224.0.0.99'; $b.Port = 9000; $b.Ttl = 3; $b.MaxLength = 1000
            $K.StartSyncDaemon($b)
            $list = @($K.ListSyncDaemons())
            $list.Count | Should -Be 2
            $lm = $list | Where-Object Role -EQ 'Master'
            ($lm.Interface, $lm.SyncId, "$($lm.Group)", $lm.Port, $lm.Ttl, $lm.MaxLength) | Should -Be @('eth0', 7, '224.0.0.81', 8848, 1, 1472)
            $lb = $list | Where-Object Role -EQ 'Backup'
            ($lb.Interface, $lb.SyncId, "$($lb.Group)", $lb.Port, $lb.Ttl, $lb.MaxLength) | Should -Be @('eth0', 9, '224.0.0.99', 9000, 3, 1024)
            foreach ($d in $list) { ([DateTime]::UtcNow - $d.Started).TotalMinutes | Should -BeLessThan 10 }
            $guest = (Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'ipvsadm -L --daemon') -join "`n"
            $guest | Should -Match ([regex]::Escape('master sync daemon (mcast=eth0, syncid=7, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)'))
            $guest | Should -Match ([regex]::Escape('backup sync daemon (mcast=eth0, syncid=9, maxlen=1024, group=224.0.0.99, port=9000, ttl=3)'))
        }

        It 'refuses a second master (SyncDaemonExists), bad values before ipvsadm runs, an interface the guest lacks' {
            $again = [LvsPS.Ipvs.Sync.SyncDaemonSpec]::new(); $again.Role = 'Master'; $again.Interface = 'eth0'; $again.SyncId = 8
            $e = Get-LvsError { $K.StartSyncDaemon($again) }
            $e.ErrorId | Should -Be 'SyncDaemonExists'
            $e.Message | Should -Match 'Daemon has already run'
            $bad = [LvsPS.Ipvs.Sync.SyncDaemonSpec]::new(); $bad.Role = 'Master'; $bad.Interface = 'eth0'; $bad.SyncId = 256
            (Get-LvsError { $K.StartSyncDaemon($bad) }).ErrorId | Should -Be 'InvalidSyncDaemon'
            $bad.SyncId = 1; $bad.Ttl = 0
            (Get-LvsError { $K.StartSyncDaemon($bad) }).Message | Should -Match 'TTL 0'
            $bad.Ttl = 1; $bad.Group = [ipaddress]"$Net.2"
            (Get-LvsError { $K.StartSyncDaemon($bad) }).Message | Should -Match 'not a multicast address'
            $K.StopSyncDaemon('Master')
            $bad.Group = [LvsPS.Ipvs.Sync.SyncDaemonSpec]::DefaultGroup; $bad.Interface = 'nosuch0'
            $e = Get-LvsError { $K.StartSyncDaemon($bad) }
            $e.ErrorId | Should -Be 'InterfaceNotAvailable'
            $e.Message | Should -Match 'No such device'
            # the backup was never touched by the refusals
            @($K.ListSyncDaemons()).Role | Should -Be @('Backup')
        }

        It 'stops them; a second stop is SyncDaemonNotFound' {
            $K.StopSyncDaemon('Backup')
            @($K.ListSyncDaemons()).Count | Should -Be 0
            (Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'ipvsadm -L --daemon') | Should -BeNullOrEmpty
            $e = Get-LvsError { $K.StopSyncDaemon('Master') }
            $e.ErrorId | Should -Be 'SyncDaemonNotFound'
            $e.Message | Should -Match 'No daemon is running'
        }
    }

    Context 'a VRRP instance keepalived runs' {
        It 'becomes Master alone and holds the VIP (ip addr in the guest)' {
            $K.AddVrrpInstance((New-Vrrp 'VI_ha' 61 150 $Vip))
            $s = Wait-Until { $x = Get-State $K 'VI_ha'; if ("$($x.State)" -eq 'Master') { $x } } 'VI_ha becoming Master'
            "$($s.MasterAddress)" | Should -Be "$Net.1"
            $s.Priority | Should -Be 150
            $s.AdvertIntervalCentiseconds | Should -Be 25
            $s.AdvertsSent | Should -BeGreaterThan 0
            ([DateTime]::UtcNow - $s.LastTransition).TotalMinutes | Should -BeLessThan 10
            Get-GuestAddresses $LabName director | Should -Match ([regex]::Escape("inet $Vip/32"))
            $conf = (Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'cat /etc/keepalived/keepalived.conf') -join "`n"
            $conf | Should -Match 'vrrp_instance VI_ha \{'
            $conf | Should -Match 'advert_int 0.25'
        }

        It 'refuses a duplicate name or router id, a bad value, and an interface keepalived -t rejects, losing nothing' {
            (Get-LvsError { $K.AddVrrpInstance((New-Vrrp 'VI_ha' 62 100 "$Net.151")) }).ErrorId | Should -Be 'VrrpInstanceExists'
            (Get-LvsError { $K.AddVrrpInstance((New-Vrrp 'VI_other' 61 100 "$Net.151")) }).Message | Should -Match 'virtual router id 61'
            (Get-LvsError { $K.AddVrrpInstance((New-Vrrp 'VI_other' 0 100 "$Net.151")) }).ErrorId | Should -Be 'InvalidVrrpInstance'
            $v = New-Vrrp 'VI_other' 62 100 "$Net.151"; $v.Interface = 'eth9'
            $e = Get-LvsError { $K.AddVrrpInstance($v) }
            $e.ErrorId | Should -Be 'KeepalivedConfigRejected'
            $e.Message | Should -Match 'eth9'
            (Get-LvsError { $K.DeleteVrrpInstance('VI_none') }).ErrorId | Should -Be 'VrrpInstanceNotFound'
            @($K.ListVrrpInstances()).Name | Should -Be @('VI_ha')
            "$((Get-State $K 'VI_ha').State)" | Should -Be 'Master'
        }

        It 'is Backup behind a higher-priority Debian keepalived peer, naming it; takes over on its kill -9' {
            $peerDir = Join-Path $LabDir 'kha-peer'
            New-Item -ItemType Directory -Force -Path $peerDir | Out-Null
            @"
global_defs {
    router_id khapeer
}
vrrp_instance VI_ha {
    state BACKUP
    interface eth0
    virtual_router_id 61
    priority 200
    version 3
    advert_int 0.25
    virtual_ipaddress {
        $Vip/32 dev eth0
    }
}
"@ | Set-Content -Path (Join-Path $peerDir 'peer.conf')
            $ns = "lvs-$LabName-rs1"
            & sh -c "cd '$peerDir' && ip netns exec '$ns' setsid keepalived -n -l -D -P --dont-respawn -f '$peerDir/peer.conf' -p '$peerDir/k.pid' -r '$peerDir/v.pid' </dev/null >'$peerDir/log' 2>&1 &"
            Wait-Until { (Test-Path "$peerDir/v.pid") -and (Get-Content "$peerDir/v.pid") } 'the peer keepalived starting' 10 | Out-Null
            # the VRRP process first, so that it gets SIGKILL before its parent's death could send it SIGTERM
            $script:PeerPid = @((Get-Content "$peerDir/v.pid"), (Get-Content "$peerDir/k.pid"))
            $s = Wait-Until { $x = Get-State $K 'VI_ha'; if ("$($x.State)" -eq 'Backup' -and $x.MasterAddress) { $x } } 'VI_ha giving way to the peer'
            "$($s.MasterAddress)" | Should -Be "$Net.3"
            $s.MasterPriority | Should -Be 200
            $s.AdvertsReceived | Should -BeGreaterThan 0
            Wait-Until { (Get-GuestAddresses $LabName director) -notmatch [regex]::Escape("inet $Vip/32") } 'the director giving up the VIP' | Out-Null
            (& ip netns exec $ns ip -4 addr show dev eth0) -join "`n" | Should -Match ([regex]::Escape("inet $Vip/32"))

            # kill -9: the peer says nothing more (no priority 0 advert); the director takes over after Master_Down_Interval
            # The parent respawns a VRRP child that dies while it runs (keepalived restarts its children): stop it
            # first, then SIGKILL both in one kill(1), so no new child can start in between.
            & kill -STOP $script:PeerPid[1]
            & kill -9 @script:PeerPid
            $script:PeerPid = $null
            $s = Wait-Until { $x = Get-State $K 'VI_ha'; if ("$($x.State)" -eq 'Master') { $x } } 'VI_ha taking over after the kill -9'
            "$($s.MasterAddress)" | Should -Be "$Net.1"
            $s.BecameMaster | Should -BeGreaterOrEqual 2
            Get-GuestAddresses $LabName director | Should -Match ([regex]::Escape("inet $Vip/32"))
            & sh -c "ip netns exec '$ns' ip addr del '$Vip/32' dev eth0 2>/dev/null; true"   # what the killed peer left behind
        }

        It 'edits the priority (reload keeps it Master), and removed, the VIP is gone' {
            $v = New-Vrrp 'VI_ha' 61 120 $Vip
            $K.EditVrrpInstance($v)
            $s = Get-State $K 'VI_ha'
            $s.Priority | Should -Be 120
            "$($s.State)" | Should -Be 'Master'
            $K.DeleteVrrpInstance('VI_ha')
            @($K.ListVrrpInstances()).Count | Should -Be 0
            Wait-Until { (Get-GuestAddresses $LabName director) -notmatch [regex]::Escape("inet $Vip/32") } 'the VIP going away' 10 | Out-Null
            (Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'cat /etc/keepalived/keepalived.conf') -join "`n" | Should -Not -Match 'vrrp_instance'
        }
    }
}

Describe 'Two kernel directors: keepalived elects by priority and takes over on kill -9' {
    BeforeAll {
        $script:Pair = New-LvsTestLab -NamePrefix 'khp' -Network '10.217' -RealServerCount 1 -DirectorCount 2 -DirectorKind Kernel
        $script:PairName = $Pair.Name
        $script:PairVip = "$($Pair.VirtualAddress)"
        $script:Node1, $script:Node2 = 'director1', 'director2'
        $script:Name1, $script:Name2 = $Pair.Directors
        $script:K1 = Get-Kernel $Name1
        $script:K2 = Get-Kernel $Name2
        $script:Addr1 = "$($Pair.Lab.Directors[0].Address)"
        $script:Addr2 = "$($Pair.Lab.Directors[1].Address)"
        $script:HasVip = { param([string]$Node) (Get-GuestAddresses $PairName $Node) -match [regex]::Escape("inet $PairVip/32") }
    }

    AfterAll {
        if ($script:PairName) { Remove-LvsTestLab -Name $script:PairName }
    }

    It 'neither holds the VIP before VRRP; with priorities 150 and 100 director1 is Master with the VIP, director2 Backup naming it' {
        & $HasVip $Node1 | Should -BeFalse
        & $HasVip $Node2 | Should -BeFalse
        $K2.AddVrrpInstance((New-Vrrp 'VI_pair' 71 100 $PairVip))
        $K1.AddVrrpInstance((New-Vrrp 'VI_pair' 71 150 $PairVip))
        Wait-Until { "$((Get-State $K1 'VI_pair').State)" -eq 'Master' } 'director1 becoming Master' | Out-Null
        $b = Wait-Until { $x = Get-State $K2 'VI_pair'; if ("$($x.State)" -eq 'Backup' -and "$($x.MasterAddress)" -eq $Addr1) { $x } } 'director2 seeing director1 as master'
        $b.MasterPriority | Should -Be 150
        $m = Get-State $K1 'VI_pair'
        "$($m.MasterAddress)" | Should -Be $Addr1
        Wait-Until { (& $HasVip $Node1) -and -not (& $HasVip $Node2) } 'the VIP on director1 only' | Out-Null
    }

    It 'kill -9 of the master''s keepalived: director2 takes over and holds the VIP; both list it so' {
        Invoke-LvsLabCommand -Lab $PairName -Node $Node1 -Command 'kill -9 $(cat /run/lvsps-keepalived-vrrp.pid) $(cat /run/lvsps-keepalived.pid) $(cat /run/lvsps-keepalived-checkers.pid 2>/dev/null) 2>/dev/null; true' | Out-Null
        $t = Wait-Until { $x = Get-State $K2 'VI_pair'; if ("$($x.State)" -eq 'Master') { $x } } 'director2 taking over'
        "$($t.MasterAddress)" | Should -Be $Addr2
        $t.BecameMaster | Should -BeGreaterOrEqual 1
        Wait-Until { & $HasVip $Node2 } 'director2 adding the VIP' | Out-Null
        # director1's keepalived is dead: no state to report, so LvsPS says Init (its killed process left the VIP behind)
        "$((Get-State $K1 'VI_pair').State)" | Should -Be 'Init'
    }

    It 'director1 started again (its instance re-installed) preempts with its higher priority' {
        Invoke-LvsLabCommand -Lab $PairName -Node $Node1 -Command "ip addr del $PairVip/32 dev eth0 2>/dev/null; true" | Out-Null
        $K1.EditVrrpInstance((New-Vrrp 'VI_pair' 71 150 $PairVip))   # installs the file again: keepalived starts
        Wait-Until { "$((Get-State $K1 'VI_pair').State)" -eq 'Master' } 'director1 preempting' | Out-Null
        Wait-Until { $x = Get-State $K2 'VI_pair'; "$($x.State)" -eq 'Backup' -and "$($x.MasterAddress)" -eq $Addr1 } 'director2 backing off' | Out-Null
        Wait-Until { (& $HasVip $Node1) -and -not (& $HasVip $Node2) } 'the VIP back on director1 only' | Out-Null
        $K1.DeleteVrrpInstance('VI_pair')
        $K2.DeleteVrrpInstance('VI_pair')
        Wait-Until { -not (& $HasVip $Node1) -and -not (& $HasVip $Node2) } 'the VIP gone from both' | Out-Null
    }

    It 'one pipeline sets up both at once through the cmdlets: Connect-LvsDirector (a host without kernel IPVS is one error), VRRP with each one''s priority, sync daemons with each one''s role' {
        $lab = $Pair.Lab
        $rs1 = "$($lab.RealServers[0].Address)"
        $f1, $f2, $fr = "$PairName-f1", "$PairName-f2", "$PairName-fr"
        $rows = @(
            [pscustomobject]@{ Name = $f1; ComputerName = $Addr1; NetworkNamespace = $lab.ManagementNamespaceFor($lab.Directors[0]); Priority = 150; Role = 'Master' }
            [pscustomobject]@{ Name = $fr; ComputerName = $rs1; NetworkNamespace = $lab.ManagementNamespace; Priority = 120; Role = 'Master' }
            [pscustomobject]@{ Name = $f2; ComputerName = $Addr2; NetworkNamespace = $lab.ManagementNamespaceFor($lab.Directors[1]); Priority = 100; Role = 'Backup' }
        )
        try {
            # The real server's sshd lets the lab key in, but it runs no kernel IPVS: its one error names it; the two guests connect.
            $connected = @($rows | Connect-LvsDirector -KeyFile $lab.KeyFile -KnownHostsFile $lab.KnownHostsFile -ThrottleLimit 3 -ErrorVariable failed -ErrorAction SilentlyContinue)
            $connected.Name | Should -Be @($f1, $f2)
            $failed.Count | Should -Be 1
            "$($failed[0].TargetObject)" | Should -Be $rs1
            $failed[0].Exception | Should -BeOfType ([LvsPS.Ipvs.Model.LvsException])
            [LvsPS.Management.Kernel.KernelDirectorRegistry]::Contains($fr) | Should -BeFalse

            $pairRows = @($rows | Where-Object Name -NE $fr | ForEach-Object { [pscustomobject]@{ Director = $_.Name; Priority = $_.Priority; Role = $_.Role } })
            $made = @($pairRows | New-LvsVrrpInstance -Name VI_fleet -Interface eth0 -VirtualRouterId 73 -VirtualAddress $PairVip -Version 3 -AdvertInterval 0.25 -ThrottleLimit 2 -PassThru)
            $made.Director | Should -Be @($f1, $f2)
            $made.Priority | Should -Be @(150, 100)
            Wait-Until { "$((Get-LvsVrrpInstance -Director $f1 -Name VI_fleet).State)" -eq 'Master' } 'director1 becoming Master' | Out-Null
            Wait-Until { $x = Get-LvsVrrpInstance -Director $f2 -Name VI_fleet; "$($x.State)" -eq 'Backup' -and "$($x.MasterAddress)" -eq $Addr1 } 'director2 backing off, naming director1' | Out-Null
            Wait-Until { (& $HasVip $Node1) -and -not (& $HasVip $Node2) } 'the VIP on director1 only' | Out-Null

            $daemons = @($pairRows | Start-LvsSyncDaemon -Interface eth0 -SyncId 7 -ThrottleLimit 2 -PassThru)
            @($daemons | ForEach-Object { "$($_.Director) $($_.Role)" }) | Should -Be @("$f1 Master", "$f2 Backup")
            # As the kernels list them (ipvsadm -L --daemon on each guest).
            (Invoke-LvsLabCommand -Lab $PairName -Node $Node1 -Command 'ipvsadm -L --daemon') -join "`n" | Should -Match 'master sync daemon \(mcast=eth0, syncid=7'
            (Invoke-LvsLabCommand -Lab $PairName -Node $Node2 -Command 'ipvsadm -L --daemon') -join "`n" | Should -Match 'backup sync daemon \(mcast=eth0, syncid=7'
        }
        finally {
            foreach ($d in $f1, $f2) {
                if ([LvsPS.Management.Kernel.KernelDirectorRegistry]::Contains($d)) {
                    Stop-LvsSyncDaemon -Director $d -Force -ErrorAction SilentlyContinue
                    Remove-LvsVrrpInstance -Director $d -Name VI_fleet -Force -ErrorAction SilentlyContinue
                }
            }
            Disconnect-LvsDirector -Name "$PairName-f*"
        }
        Wait-Until { -not (& $HasVip $Node1) -and -not (& $HasVip $Node2) } 'the VIP gone from both' | Out-Null
    }
}
