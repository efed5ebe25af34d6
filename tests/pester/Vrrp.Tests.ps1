#Requires -Version 7.4
# VRRP between lvsd and keepalived 2.2.7, with real packets: a one-director engine lab (client, lvsd, one real
# server) and keepalived in an extra namespace on the lab's bridge (bench/vrrp-takeover.ps1's New-VrrpPeer: its own
# config, pid files and log under the lab's folder, stopped by its recorded pids). lvsd's instance is set through
# IDirector (the control socket). Each case asserts the protocol's outcome (who is master, who holds and answers for
# the VIP, that the client reaches the service through lvsd); times only have generous upper bounds.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1')
    . (Join-Path (Get-LvsTestRoot) 'bench/vrrp-takeover.ps1')
    $script:TestLab = New-LvsTestLab -NamePrefix vr -Network 10.236 -RealServerCount 1 -StartDirector -HideRealServers
    $script:LabName = $TestLab.Name; $script:LabInfo = $TestLab.Lab; $script:Vip = $TestLab.VirtualAddress
    New-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler rr | Out-Null
    Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $TestLab.RealServers['rs1'] | Out-Null
    $script:Peer = New-VrrpPeer -Lab $LabInfo
    $script:DirectorMac = (Get-LvsDirector -Name $LabName).MacAddress
    $script:DirectorIp = $LabInfo.Director.Address

    function script:Start-Pair([object]$Lvsd, [string]$Keepalived) {
        Stop-VrrpPeer $Peer
        if (-not (Get-LvsDirector -Name $LabName)) { Start-LvsDirector -Lab $LabName | Out-Null }
        Set-VrrpInstance -Director $LabName -Spec $Lvsd
        Start-VrrpPeer $Peer $Keepalived
    }
    function script:State { (Get-VrrpInstanceState $LabName).State.ToString() }
    function script:Wait-LvsdMaster([double]$TimeoutSec = 15) {
        Wait-VrrpCondition { (State) -eq 'Master' -and -not (Test-VrrpPeerHoldsVip $Peer $Vip) } -TimeoutSec $TimeoutSec
    }
    function script:Wait-PeerMaster([double]$TimeoutSec = 15) {
        Wait-VrrpCondition { (State) -eq 'Backup' -and (Test-VrrpPeerHoldsVip $Peer $Vip) } -TimeoutSec $TimeoutSec
    }
    function script:Because { "lvsd: $(Get-VrrpInstanceState $LabName | Select-Object State, MasterAddress, MasterPriority, AdvertsReceived, AdvertsDropped | Out-String) keepalived: $(Get-VrrpPeerLog $Peer)" }
}

AfterAll {
    Remove-VrrpPeer $script:Peer
    Remove-LvsTestLab -Name $script:LabName
}

Describe 'VRRPv3 election with keepalived' {
    It 'lvsd (150) is master, keepalived (100) backup: the client ARPs lvsd and reaches the service through the VIP' {
        Start-Pair (New-VrrpSpec -Vip $Vip -Priority 150 -AdvertCs 25) (Get-VrrpPeerConfig -Vip $Vip -Priority 100 -AdvertInterval 0.25)
        Wait-LvsdMaster | Should -BeTrue -Because (Because)
        Start-Sleep -Seconds 2   # several adverts: keepalived stays backup
        Test-VrrpPeerHoldsVip $Peer $Vip | Should -BeFalse
        (Get-VrrpPeerLog $Peer) | Should -Match '\(VI_1\) Entering BACKUP STATE'
        (Get-VrrpPeerLog $Peer) | Should -Not -Match 'Entering MASTER STATE'
        Get-VrrpClientArp $LabInfo $Vip | Should -Be $DirectorMac
        Invoke-LvsTestRequest -Count 3 -AsServerName | Should -Be @('rs1', 'rs1', 'rs1')
        (Get-VrrpInstanceState $LabName).AdvertsSent | Should -BeGreaterThan 5
    }

    It 'keepalived (200) is master, lvsd (100) backup: keepalived answers the ARP, lvsd is silent and forwards nothing' {
        Start-Pair (New-VrrpSpec -Vip $Vip -Priority 100 -AdvertCs 25) (Get-VrrpPeerConfig -Vip $Vip -Priority 200 -AdvertInterval 0.25)
        Wait-PeerMaster | Should -BeTrue -Because (Because)
        $s = Get-VrrpInstanceState $LabName
        $s.MasterAddress | Should -Be $Peer.Address
        $s.MasterPriority | Should -Be 200
        Get-VrrpClientArp $LabInfo $Vip | Should -Be $Peer.Mac
        # A frame for the VIP sent to lvsd's MAC anyway (a stale ARP entry) is dropped and counted.
        $before = (Get-LvsDirector -Name $LabName).DropsByReason['VrrpBackup']
        & ip -n $LabInfo.Client.Namespace neigh replace $Vip.ToString() lladdr $DirectorMac dev eth0 nud permanent
        try {
            $page = try { Invoke-LvsTestRequest -Count 1 } catch { 'no answer' }   # curl -m 5 times out (exit 28)
            $page | Should -Be 'no answer'
        } finally { & ip -n $LabInfo.Client.Namespace neigh del $Vip.ToString() dev eth0 }
        (Get-LvsDirector -Name $LabName).DropsByReason['VrrpBackup'] | Should -BeGreaterThan ([uint64]$before)
    }

    It 'preemption: lvsd raised above the master takes over; nopreempt: it does not' {
        Start-Pair (New-VrrpSpec -Vip $Vip -Priority 100 -AdvertCs 25) (Get-VrrpPeerConfig -Vip $Vip -Priority 150 -AdvertInterval 0.25)
        Wait-PeerMaster | Should -BeTrue -Because (Because)
        Set-VrrpInstance -Director $LabName -Spec (New-VrrpSpec -Vip $Vip -Priority 200 -AdvertCs 25 -Preempt $false)
        Start-Sleep -Seconds 3   # more than three master down intervals (0.9 s)
        State | Should -Be 'Backup' -Because (Because)
        Test-VrrpPeerHoldsVip $Peer $Vip | Should -BeTrue
        Set-VrrpInstance -Director $LabName -Spec (New-VrrpSpec -Vip $Vip -Priority 200 -AdvertCs 25)
        Wait-LvsdMaster | Should -BeTrue -Because (Because)
        (Get-VrrpPeerLog $Peer) | Should -Match 'higher priority 200'
    }

    It 'keepalived nopreempt (200) stays backup under lvsd (100) until lvsd goes' {
        Stop-VrrpPeer $Peer
        Set-VrrpInstance -Director $LabName -Spec (New-VrrpSpec -Vip $Vip -Priority 100 -AdvertCs 25)
        Wait-LvsdMaster | Should -BeTrue -Because (Because)
        Start-VrrpPeer $Peer (Get-VrrpPeerConfig -Vip $Vip -Priority 200 -AdvertInterval 0.25 -NoPreempt)
        Start-Sleep -Seconds 3
        State | Should -Be 'Master' -Because (Because)
        Test-VrrpPeerHoldsVip $Peer $Vip | Should -BeFalse
    }

    It 'preempt_delay: lvsd (200) waits that long before it preempts keepalived (100)' {
        Stop-VrrpPeer $Peer
        Set-VrrpInstance -Director $LabName -Spec (New-VrrpSpec -Vip $Vip -Priority 50 -AdvertCs 25)
        Start-VrrpPeer $Peer (Get-VrrpPeerConfig -Vip $Vip -Priority 100 -AdvertInterval 0.25)
        Wait-PeerMaster | Should -BeTrue -Because (Because)
        $t0 = [DateTime]::UtcNow
        Set-VrrpInstance -Director $LabName -Spec (New-VrrpSpec -Vip $Vip -Priority 200 -AdvertCs 25 -PreemptDelay 4)
        Wait-VrrpCondition { (State) -eq 'Master' } -TimeoutSec 2.5 | Should -BeFalse -Because 'preempt_delay is 4 s'
        Wait-LvsdMaster -TimeoutSec 15 | Should -BeTrue -Because (Because)
        ([DateTime]::UtcNow - $t0).TotalSeconds | Should -BeGreaterThan 4
    }
}

Describe 'Takeover on kill -9' {
    It 'kill -9 of keepalived (master): lvsd takes over and the client reaches the service through it' {
        Start-Pair (New-VrrpSpec -Vip $Vip -Priority 100 -AdvertCs 25) (Get-VrrpPeerConfig -Vip $Vip -Priority 200 -AdvertInterval 0.25)
        Wait-PeerMaster | Should -BeTrue -Because (Because)
        Get-VrrpClientArp $LabInfo $Vip | Should -Be $Peer.Mac
        & kill -KILL $Peer.VrrpPid
        Wait-VrrpCondition { (State) -eq 'Master' } -TimeoutSec 10 | Should -BeTrue -Because (Because)
        # keepalived's kernel still holds the VIP (kill -9 removes nothing): lvsd's gratuitous ARP moves the client.
        Wait-VrrpCondition { (& ip -n $LabInfo.Client.Namespace neigh show to $Vip.ToString() dev eth0) -match $DirectorMac } -TimeoutSec 5 | Should -BeTrue
        Invoke-LvsTestRequest -Count 2 -AsServerName | Should -Be @('rs1', 'rs1')
    }

    It 'kill -9 of lvsd (master): keepalived takes over; lvsd started again preempts with its saved instance' {
        Start-Pair (New-VrrpSpec -Vip $Vip -Priority 200 -AdvertCs 25) (Get-VrrpPeerConfig -Vip $Vip -Priority 100 -AdvertInterval 0.25)
        Wait-LvsdMaster | Should -BeTrue -Because (Because)
        $lvsd = (Get-LvsDirector -Name $LabName).ProcessId
        & kill -KILL $lvsd
        Wait-VrrpCondition { Test-VrrpPeerHoldsVip $Peer $Vip } -TimeoutSec 10 | Should -BeTrue -Because (Get-VrrpPeerLog $Peer)
        Get-VrrpClientArp $LabInfo $Vip | Should -Be $Peer.Mac
        while (Test-Path "/proc/$lvsd") { Start-Sleep -Milliseconds 20 }
        Start-LvsDirector -Lab $LabName | Out-Null
        Wait-LvsdMaster | Should -BeTrue -Because (Because)
        Wait-VrrpCondition { (Get-VrrpClientArp $LabInfo $Vip) -eq $DirectorMac } -TimeoutSec 5 | Should -BeTrue
        Invoke-LvsTestRequest -Count 2 -AsServerName | Should -Be @('rs1', 'rs1')
    }

    It 'a clean stop of lvsd (master) sends priority 0: keepalived takes over within its skew time' {
        Start-Pair (New-VrrpSpec -Vip $Vip -Priority 200 -AdvertCs 100) (Get-VrrpPeerConfig -Vip $Vip -Priority 100 -AdvertInterval 1)
        Wait-LvsdMaster | Should -BeTrue -Because (Because)
        Stop-LvsDirector -Name $LabName -Confirm:$false | Out-Null
        try {
            # Down interval 3.6 s; after priority 0 only the skew (0.6 s).
            Wait-VrrpCondition { Test-VrrpPeerHoldsVip $Peer $Vip } -TimeoutSec 2.5 | Should -BeTrue -Because (Get-VrrpPeerLog $Peer)
            (Get-VrrpPeerLog $Peer) | Should -Match 'priority 0'
        } finally { Start-LvsDirector -Lab $LabName | Out-Null }
        Wait-LvsdMaster | Should -BeTrue -Because (Because)
    }
}

Describe 'Intervals, VRRPv2 authentication, unicast peers' {
    It 'fractional advert interval: keepalived backup takes lvsd''s 0.25 s, and takes over within a second of lvsd''s death' {
        Start-Pair (New-VrrpSpec -Vip $Vip -Priority 200 -AdvertCs 25) (Get-VrrpPeerConfig -Vip $Vip -Priority 100 -AdvertInterval 1)
        Wait-LvsdMaster | Should -BeTrue -Because (Because)
        Start-Sleep -Seconds 1
        $lvsd = (Get-LvsDirector -Name $LabName).ProcessId
        & kill -KILL $lvsd
        # keepalived (v3 backup) adopted the master's 0.25 s: down interval 0.75 s + skew, not 3.6 s.
        Wait-VrrpCondition { Test-VrrpPeerHoldsVip $Peer $Vip } -TimeoutSec 2.5 -EveryMs 50 | Should -BeTrue -Because (Get-VrrpPeerLog $Peer)
        while (Test-Path "/proc/$lvsd") { Start-Sleep -Milliseconds 20 }
        Start-LvsDirector -Lab $LabName | Out-Null
        Wait-LvsdMaster | Should -BeTrue -Because (Because)
    }

    It 'VRRPv2 with the same PASS: one master (lvsd 150), keepalived backup' {
        Start-Pair (New-VrrpSpec -Vip $Vip -Priority 150 -Version 2 -AdvertCs 100 -Password 'lvs-pw1') (Get-VrrpPeerConfig -Vip $Vip -Priority 100 -Version 2 -AdvertInterval 1 -Password 'lvs-pw1')
        Wait-LvsdMaster | Should -BeTrue -Because (Because)
        Start-Sleep -Seconds 4
        Test-VrrpPeerHoldsVip $Peer $Vip | Should -BeFalse -Because (Get-VrrpPeerLog $Peer)
        (Get-VrrpInstanceState $LabName).AdvertsDropped | Should -Be 0
        Get-VrrpClientArp $LabInfo $Vip | Should -Be $DirectorMac
    }

    It 'VRRPv2 with another password: no election, each side is master, each drops the other''s adverts' {
        Start-Pair (New-VrrpSpec -Vip $Vip -Priority 150 -Version 2 -AdvertCs 100 -Password 'lvs-pw1') (Get-VrrpPeerConfig -Vip $Vip -Priority 100 -Version 2 -AdvertInterval 1 -Password 'other')
        Wait-VrrpCondition { (State) -eq 'Master' -and (Test-VrrpPeerHoldsVip $Peer $Vip) } -TimeoutSec 15 | Should -BeTrue -Because (Because)
        Start-Sleep -Seconds 2
        (State) | Should -Be 'Master'
        (Get-VrrpInstanceState $LabName).AdvertsDropped | Should -BeGreaterThan 0
        (Get-VrrpPeerLog $Peer) | Should -Match 'invalid passwd|password'
    }

    It 'unicast_peer on both sides: lvsd (150) master, keepalived backup; then keepalived (200) wins' {
        Start-Pair (New-VrrpSpec -Vip $Vip -Priority 150 -AdvertCs 25 -UnicastPeer $Peer.Address) (Get-VrrpPeerConfig -Vip $Vip -Priority 100 -AdvertInterval 0.25 -UnicastPeer $DirectorIp)
        Wait-LvsdMaster | Should -BeTrue -Because (Because)
        Start-Sleep -Seconds 2
        Test-VrrpPeerHoldsVip $Peer $Vip | Should -BeFalse -Because (Get-VrrpPeerLog $Peer)
        Start-VrrpPeer $Peer (Get-VrrpPeerConfig -Vip $Vip -Priority 200 -AdvertInterval 0.25 -UnicastPeer $DirectorIp)
        Wait-PeerMaster | Should -BeTrue -Because (Because)
        (Get-VrrpInstanceState $LabName).MasterAddress | Should -Be $Peer.Address
    }
}
