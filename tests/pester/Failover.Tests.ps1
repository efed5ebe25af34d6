#Requires -Version 7.4
# Director failover end to end with real packets: a lab with two LvsPS directors (director1 priority 150, director2
# 100, one VRRPv3 instance with a 0.25 s advert interval, both sync daemons on each) and two real servers. flowprobe
# runs in the client's namespace: 100 long-lived sessions to VIP:23 (the echoing telnet-like service), one line each
# 200 ms, and a loop of new HTTP requests to VIP:80. The master is failed (SIGKILL of its lvsd; its link cut on the
# switch), the backup must take over with the sessions going on (their connections came to it by sync), and the old
# master returns: it preempts (or, with nopreempt, stays backup) without dropping a session.
# bench/failover.ps1 runs the same rounds many times and records the figures of docs/RELIABILITY.md; the bounds
# here are generous (a loaded test machine): the figures are the bench's.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1')
    . (Join-Path (Get-LvsTestRoot) 'bench/failover.ps1')
    $octet = Get-Random -Minimum 10 -Maximum 240
    $script:LabName = 'pf' + -join ((97..122) | Get-Random -Count 4 | ForEach-Object { [char]$_ })
    $script:Ctx = New-FailoverLab -LabName $LabName -Subnet "10.232.$octet.0/24" -AdvertInterval 0.25
    $script:First, $script:Second = $Ctx.Directors
}

AfterAll {
    if ($env:LVSPS_DEBUG_FAILOVER -and $script:Ctx) {
        foreach ($d in $script:Ctx.Directors) {
            Write-Host "== $d"
            Get-Content "/var/lib/lvsps/$d.log" -ErrorAction SilentlyContinue | Select-Object -Last 40 | Write-Host
        }
    }
    if ($script:LabName) { Remove-LvsTestLab -Name $script:LabName }
}

Describe 'Two LvsPS directors with VRRP and connection sync' {
    It 'elect the higher priority director as the only master, and sync its connections to the backup' {
        Wait-FailoverRoles $Ctx | Should -Be $First
        $probe = Start-FailoverProbe $Ctx 10 3 (Join-Path $Ctx.Dir 'warmup.json')
        $probe.WaitForExit(20000) | Should -BeTrue
        $r = Get-Content -Raw (Join-Path $Ctx.Dir 'warmup.json') | ConvertFrom-Json
        @($r.requests | Where-Object ok).Count | Should -BeGreaterThan 10
        # the backup's table holds the master's sessions (sync sends a connection when it is created)
        $clients = @(Get-LvsConnection -Director $Second -Port 23 -ClientAddress $Ctx.Lab.Client.Address)
        $clients.Count | Should -BeGreaterOrEqual 10
    }

    It 'kill -9 of the master''s lvsd: the backup takes over, sessions go on, the old master preempts on return' {
        $row = Measure-FailoverRound $Ctx Kill 100 1
        # a 0.25 s advert interval takes over in under a second on a quiet machine; the bound is for a loaded one
        Assert-LvsTestFailoverRound $row -Failed $First -AfterFault '^Failed/Master$' -AfterReturn 'Master/Backup'
    }

    It 'the master''s link cut: the backup takes over the VIP, the old master preempts when the link is back' {
        $row = Measure-FailoverRound $Ctx LinkCut 100 2
        # The cut master goes to FAULT and, with the link back, wins again through preemption with a gratuitous ARP
        # burst (before: it stayed master in its own eyes and the clients kept the backup's MAC, docs/RELIABILITY.md).
        Assert-LvsTestFailoverRound $row -Failed $First -AfterFault '/Master$' -AfterReturn 'Master/Backup'
    }

    It 'with nopreempt the old master comes back as backup, and sessions go on' {
        foreach ($d in $Ctx.Directors) { Set-LvsVrrpInstance -Director $d -Name VI_1 -NoPreempt }
        (Get-LvsVrrpInstance -Director $First -Name VI_1).Preempt | Should -BeFalse
        $row = Measure-FailoverRound $Ctx Kill 100 3
        Assert-LvsTestFailoverRound $row -Failed $First -AfterFault '^Failed/Master$' -AfterReturn 'Backup/Master'
    }
}
