#Requires -Version 7.4
# Invoke-LvsAdm (lvsadm) and Sync-LvsConfiguration on a real engine lab (client, lvsd director, two real servers with
# nginx and the telnet-like echo service, direct routing): ipvsadm command lines build the table, requests through the
# VIP reach the real servers, lvsadm -L -n is Get-LvsService -AsText, -WhatIf changes nothing, a bad option is
# ipvsadm's error; Sync brings the table to a rules file and to a keepalived.conf with the fewest changes, plans
# nothing the second time, and a weight-only change keeps an established TCP session through the VIP.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1') -LabParameters @{ NamePrefix = 'ad'; Network = '10.178'; RealServerCount = 2; StartDirector = $true; HideRealServers = $true }
    $script:Rs1 = $TestLab.RealServers['rs1'].ToString()
    $script:Rs2 = $TestLab.RealServers['rs2'].ToString()
    $script:Corpus = Join-Path (Get-LvsTestRoot) '..' 'shared' 'corpus' 'keepalived'
}

AfterAll {
    Remove-LvsTestLab -Name $script:LabName
}

Describe 'Invoke-LvsAdm' {
    It 'adds a service and real servers that answer through the VIP' {
        lvsadm "-A -t ${Vip}:80 -s rr" -Director $LabName
        lvsadm -Director $LabName -- -a -t "${Vip}:80" -r $Rs1 -g -w 1
        Invoke-LvsAdm "ipvsadm -a -t '${Vip}:80' -r $Rs2 -g" -Director $LabName
        $svc = Get-LvsService -Director $LabName -VirtualAddress $Vip -Port 80
        $svc.Scheduler | Should -Be 'Rr'
        $svc.RealServers.Count | Should -Be 2
        $names = Invoke-LvsTestRequest -Count 4 -AsServerName
        ($names | Sort-Object -Unique) -join ',' | Should -Be 'rs1,rs2'
    }

    It 'lists the table as Get-LvsService -AsText (and --stats as -Stats)' {
        lvsadm -L -n -Director $LabName | Should -BeExactly (Get-LvsService -Director $LabName -AsText)
        lvsadm '-L -n --thresholds' -Director $LabName | Should -BeExactly (Get-LvsService -Director $LabName -AsText -Thresholds)
        (lvsadm '-S -n' -Director $LabName) | Should -Match "(?m)^-A -t ${Vip}:80 -s rr$"
    }

    It 'changes nothing under -WhatIf' {
        $before = Get-LvsService -Director $LabName -AsText
        lvsadm "-E -t ${Vip}:80 -s wlc" -Director $LabName -WhatIf
        lvsadm "-D -t ${Vip}:80" -Director $LabName -WhatIf
        lvsadm '-C' -Director $LabName -WhatIf
        Get-LvsService -Director $LabName -AsText | Should -BeExactly $before
    }

    It 'edits a weight in place and refuses a bad option with ipvsadm''s message' {
        lvsadm "-e -t ${Vip}:80 -r $Rs2 -w 3" -Director $LabName
        (Get-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 | Where-Object { $_.RealAddress -eq $Rs2 }).Weight | Should -Be 3
        $err = $null
        lvsadm "-A -t ${Vip}:81 --bogus" -Director $LabName -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.Message | Should -Be 'ipvsadm: --bogus: unknown option'
        $err[0].FullyQualifiedErrorId | Should -Match '^InvalidArgument'
        lvsadm "-D -t ${Vip}:80 -w 2" -Director $LabName -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.Message | Should -Be "ipvsadm: Illegal 'w' option with the 'delete-service' command"
        lvsadm "-E -t ${Vip}:99 -s rr" -Director $LabName -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].Exception.Message | Should -Match '^ipvsadm: No such service'
        Get-LvsService -Director $LabName -VirtualAddress $Vip -Port 81 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'Sync-LvsConfiguration' {
    BeforeAll {
        $script:Rules = Join-Path $TestDrive 'rules'
        @"
-A -t ${Vip}:80 -s wlc
-a -t ${Vip}:80 -r ${Rs1}:80 -g -w 1
-a -t ${Vip}:80 -r ${Rs2}:80 -g -w 3
-A -t ${Vip}:23 -s rr
-a -t ${Vip}:23 -r ${Rs1}:23 -g -w 1
-a -t ${Vip}:23 -r ${Rs2}:23 -g -w 1
"@ | Set-Content -Path $Rules
    }

    It 'shows the diff of a corpus keepalived.conf under -WhatIf and changes nothing' {
        $file = Join-Path $Corpus 'ka-devtest-chk_tcp.conf'
        Test-Path $file | Should -BeTrue -Because 'the keepalived corpus is at ../shared/corpus/keepalived'
        $before = Get-LvsService -Director $LabName -AsText
        $plan = Sync-LvsConfiguration -Path $file -Director $LabName -WhatIf -WarningAction SilentlyContinue
        $plan.Count | Should -BeGreaterThan 0
        $plan.Action | Sort-Object -Unique | Should -Be 'Add'
        Get-LvsService -Director $LabName -AsText | Should -BeExactly $before
    }

    It 'applies the fewest changes from a rules file, then plans nothing' {
        $plan = Sync-LvsConfiguration -Force -Path $Rules -Director $LabName
        ($plan | ForEach-Object { "$($_.Action) $($_.Target): $($_.Old) -> $($_.New)" }) -join "`n" | Should -Be (
            "Edit TCP ${Vip}:80: rr -> wlc`nAdd TCP ${Vip}:23:  -> rr, 2 real servers")
        $svc = Get-LvsService -Director $LabName -VirtualAddress $Vip -Port 80
        $svc.Scheduler | Should -Be 'Wlc'
        @(Sync-LvsConfiguration -Force -Path $Rules -Director $LabName).Count | Should -Be 0
    }

    It 'a weight-only change from a keepalived.conf keeps an established session through the VIP' {
        $out = Join-Path $TestDrive 'session.out'
        Invoke-LvsLabCommand -Lab $LabName -Node client -Command "setsid bash -c 'exec 3<>/dev/tcp/$Vip/23; cat <&3 > $out & sleep 3; printf ""after\r\n"" >&3; sleep 2' </dev/null >/dev/null 2>&1 & sleep 0.5" | Out-Null
        $conf = Join-Path $TestDrive 'keepalived.conf'
        @"
virtual_server $Vip 23 {
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server $Rs1 23 {
        weight 5
    }
    real_server $Rs2 23 {
        weight 5
    }
}
"@ | Set-Content -Path $conf
        $plan = Sync-LvsConfiguration -Force -Path $conf -Director $LabName
        $plan.Action | Sort-Object -Unique | Should -Be 'Edit'
        $plan.Count | Should -Be 2
        @(Get-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 23 | Where-Object Weight -eq 5).Count | Should -Be 2
        # The service on port 80 is not in this file: it stays (no -Prune).
        Get-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 | Should -Not -BeNullOrEmpty
        $deadline = [DateTime]::UtcNow.AddSeconds(8)
        while ([DateTime]::UtcNow -lt $deadline -and -not ((Test-Path $out) -and ((Get-Content -Raw $out) -match 'after'))) { Start-Sleep -Milliseconds 200 }
        Get-Content -Raw $out | Should -Match 'after' -Because 'the session opened before the edit is still echoed after it'
        @(Sync-LvsConfiguration -Force -Path $conf -Director $LabName).Count | Should -Be 0
        $pruned = Sync-LvsConfiguration -Path $conf -Director $LabName -Prune -WhatIf
        "$($pruned.Action) $($pruned.Target)" | Should -Be "Remove TCP ${Vip}:80"
    }
}
