#Requires -Version 7.4
# Health checks on a kernel director: the same cmdlets as on lvsd (Add-/Get-/Remove-LvsHealthCheck,
# Set-LvsServiceHealth, Get-LvsHealth, Test-LvsCluster), carried out by the real keepalived 2.2.7 in the lab's
# kernel guest. LvsPS writes keepalived.conf from the model, deploys it over SSH, starts keepalived (-C) and reloads it
# with SIGHUP; the state comes back from the IPVS table, keepalived's data dump and its log. nginx is stopped and
# started on rs1 by the pid file in the lab's rs1 folder (as Health.Tests.ps1 does on lvsd).
# Without qemu-system-x86_64 New-LvsLab -DirectorKind Kernel fails, and so does this suite: it does not skip.

BeforeAll {
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'LvsPS.TestHelpers.psm1') -Force
    Import-LvsTestModule
    $root = Get-LvsTestRoot
    . (Join-Path $root 'bench/health-detect.ps1')   # Stop-HealthNginx, Start-HealthNginx

    $octet = 211 + (Get-Random -Maximum 4)
    $script:LabName = 'kh' + -join ((1..4) | ForEach-Object { [char](97 + (Get-Random -Maximum 26)) })
    $script:Net = "10.$octet.0"
    $created = @(New-LvsLab -Name $LabName -RealServerCount 2 -Subnet "$Net.0/24" -DirectorKind Kernel)
    $script:LabDir = "$(($created | Where-Object { $_.PSObject.Properties['Directory'] } | Select-Object -Last 1).Directory)"
    if (-not $LabDir) { throw "New-LvsLab returned no lab folder: $($created | Out-String)" }
    $script:Vip = "$Net.101"
    $script:Rs = @{ rs1 = "$Net.3"; rs2 = "$Net.4" }
    Set-LvsRealServerHidden -Lab $LabName -Confirm:$false | Out-Null

    New-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler rr | Out-Null
    foreach ($n in 'rs1', 'rs2') {
        Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs[$n] -Forwarding Route -Weight 1 | Out-Null
    }

    function Get-NodeDir([string]$NodeName) { Join-Path $script:LabDir $NodeName }

    function Wait-KernelHealth([string]$NodeName, [string]$State, [double]$TimeoutSec = 20) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
        while ($true) {
            $h = Get-LvsHealth -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs[$NodeName]
            if ($h -and "$($h.State)" -eq $State) { return $h }
            if ([DateTime]::UtcNow -ge $deadline) { throw "$NodeName did not become $State within $TimeoutSec s: $($h.State) '$($h.LastResult)' '$($h.Reason)'" }
            Start-Sleep -Milliseconds 300
        }
    }

    function Get-Served([int]$Count) {
        # $Count requests from the client through the VIP; the page names the real server ("real server #N").
        $cmd = "for i in `$(seq $Count); do curl -s -m 2 http://$($Vip)/test.html || echo FAIL; done"
        (Invoke-LvsLabCommand -Lab $LabName -Node client -Command $cmd) -split "`n" | Where-Object { $_ } | ForEach-Object {
            if ($_ -match '#(\d+)') { "rs$($Matches[1])" } else { 'fail' }
        }
    }

    function Get-Table { (Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'ipvsadm -L -n') -join "`n" }
}

AfterAll {
    if ($script:LabName) { Remove-LvsLab -Name $script:LabName -Confirm:$false -ErrorAction Continue }
}

Describe 'HTTP_GET checks on a kernel director, run by keepalived' {
    It 'adds the checks from the pipeline, writes keepalived.conf, starts keepalived, and both are Up' {
        Set-LvsServiceHealth -Director $LabName -VirtualAddress $Vip -Port 80 -DelayLoopSec 1
        Get-LvsRealServer -Director $LabName -Port 80 |
            Add-LvsHealthCheck -Type Http -Path /test.html -StatusCode 200 -IntervalSec 1 -TimeoutSec 1 -Retry 0
        $checks = @(Get-LvsHealthCheck -Director $LabName -Port 80)
        $checks.Count | Should -Be 2
        foreach ($c in $checks) {
            "$($c.Type)" | Should -Be 'Http'
            $c.Path | Should -Be @('/test.html')
            $c.StatusCode | Should -Be @('200')
            $c.IntervalSec | Should -Be 1
            $c.TimeoutSec | Should -Be 1
            $c.Retry | Should -Be 0
        }
        $conf = (Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'cat /etc/keepalived/keepalived.conf') -join "`n"
        $conf | Should -Match "virtual_server $([regex]::Escape($Vip)) 80"
        ([regex]::Matches($conf, 'HTTP_GET')).Count | Should -Be 2
        (Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'kill -0 $(cat /run/lvsps-keepalived.pid) && echo running') | Should -Be 'running'
        foreach ($n in 'rs1', 'rs2') {
            $h = Wait-KernelHealth $n Up
            $h.Checks | Should -Match 'HTTP_GET /test.html'
            $h.InTable | Should -BeTrue
            $h.LastCheck | Should -Not -BeNullOrEmpty
        }
        (Get-LvsRealServer -Director $LabName -Port 80) | ForEach-Object { "$($_.State)" | Should -Be 'Up' }
        $t = Test-LvsCluster -Director $LabName -Include RealServerHealthy, ServiceHasRealServer
        @($t | Where-Object Check -eq RealServerHealthy | ForEach-Object { "$($_.Result)" }) | Should -Be @('Passed', 'Passed')
        ($t | Where-Object Check -eq ServiceHasRealServer).Result | Should -Be 'Passed'
    }
}

Describe 'nginx stopped on rs1' {
    BeforeAll {
        $script:StoppedAt = Stop-HealthNginx -LabName $LabName -NodeName rs1 -Dir (Get-NodeDir rs1)
        $script:Down = Wait-KernelHealth rs1 Down
        $script:SeenDownSec = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() / 1000.0 - $StoppedAt
        Write-Host ("    rs1 seen Down through Get-LvsHealth {0:0.0} s after nginx stopped (delay_loop 1, timeout 1, retry 0)" -f $SeenDownSec)
        $script:Served = @(Get-Served 6)
        $script:TableWhileOut = Get-Table
        $script:ClusterWhileOut = Test-LvsCluster -Director $LabName -Include RealServerHealthy, ServiceHasRealServer
    }
    AfterAll { Start-HealthNginx -LabName $LabName -NodeName rs1 -Dir (Get-NodeDir rs1) -Address $Rs.rs1 | Out-Null }

    It 'shows rs1 Down in Get-LvsHealth, with keepalived''s reason, and rs2 Up' {
        "$($Down.State)" | Should -Be 'Down'
        $SeenDownSec | Should -BeLessOrEqual 8   # keepalived: about delay_loop + connect_timeout; polling and SSH add to it
        $Down.InTable | Should -BeFalse
        $Down.Reason | Should -Match ([regex]::Escape("Removing service [$($Rs.rs1)]:tcp:80 from VS [$Vip]:tcp:80"))
        $Down.LastChange | Should -Not -BeNullOrEmpty
        "$((Get-LvsHealth -Director $LabName -Port 80 -RealAddress $Rs.rs2).State)" | Should -Be 'Up'
        @(Get-LvsHealth -Director $LabName -State Down).RealAddress | ForEach-Object ToString | Should -Be @($Rs.rs1)
    }

    It 'takes rs1 out of the IPVS table and sends all traffic to rs2' {
        $lines = $TableWhileOut -split "`n"
        ($lines | Where-Object { $_ -like "  -> $($Rs.rs1):80 *" }) | Should -BeNullOrEmpty
        ($lines | Where-Object { $_ -like "  -> $($Rs.rs2):80 *" }) | Should -Not -BeNullOrEmpty
        $Served | Should -Be @('rs2', 'rs2', 'rs2', 'rs2', 'rs2', 'rs2')
    }

    It 'still lists rs1 with its check and configured weight (Get-LvsRealServer, Get-LvsHealthCheck)' {
        $r = Get-LvsRealServer -Director $LabName -Port 80 -RealAddress $Rs.rs1
        "$($r.State)" | Should -Be 'Down'
        $r.ConfiguredWeight | Should -Be 1
        @(Get-LvsHealthCheck -Director $LabName -RealAddress $Rs.rs1).Count | Should -Be 1
    }

    It 'gives the same Test-LvsCluster result kinds as on lvsd: rs1 Failed, rs2 Passed, the service Passed' {
        ($ClusterWhileOut | Where-Object { $_.Check -eq 'RealServerHealthy' -and $_.Target -like "$($Rs.rs1):80*" }).Result | Should -Be 'Failed'
        ($ClusterWhileOut | Where-Object { $_.Check -eq 'RealServerHealthy' -and $_.Target -like "$($Rs.rs2):80*" }).Result | Should -Be 'Passed'
        ($ClusterWhileOut | Where-Object Check -eq ServiceHasRealServer).Result | Should -Be 'Passed'
    }
}

Describe 'nginx started again on rs1' {
    It 'brings rs1 back Up and into the table, and traffic goes to both' {
        $h = Wait-KernelHealth rs1 Up
        $h.InTable | Should -BeTrue
        $h.Reason | Should -Match ([regex]::Escape("Adding service [$($Rs.rs1)]:tcp:80 to VS [$Vip]:tcp:80"))
        @($h.History | ForEach-Object { "$($_.State)" }) | Select-Object -Last 2 | Should -Be @('Down', 'Up')
        (Get-Table) -split "`n" | Where-Object { $_ -like "  -> $($Rs.rs1):80 *" } | Should -Not -BeNullOrEmpty
        @(Get-Served 6 | Sort-Object -Unique) | Should -Be @('rs1', 'rs2')
    }
}

Describe 'inhibit_on_failure and removing the checks' {
    It 'with -InhibitOnFailure keeps a failed rs1 in the table at weight 0 (Down), and restores weight 1' {
        Set-LvsServiceHealth -Director $LabName -VirtualAddress $Vip -Port 80 -InhibitOnFailure
        (Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'cat /etc/keepalived/keepalived.conf') -join "`n" | Should -Match 'inhibit_on_failure'
        Stop-HealthNginx -LabName $LabName -NodeName rs1 -Dir (Get-NodeDir rs1) | Out-Null
        try {
            $h = Wait-KernelHealth rs1 Down
            $h.InTable | Should -BeTrue
            $h.Weight | Should -Be 0
            $h.ConfiguredWeight | Should -Be 1
            (Get-Table) -split "`n" | Where-Object { $_ -like "  -> $($Rs.rs1):80 *" } | Should -Match 'Route\s+0\s'
        }
        finally { Start-HealthNginx -LabName $LabName -NodeName rs1 -Dir (Get-NodeDir rs1) -Address $Rs.rs1 | Out-Null }
        $up = Wait-KernelHealth rs1 Up
        $up.Weight | Should -Be 1
    }

    It 'changes a checker with Set-LvsHealthCheck: keepalived.conf has the new value, rs2 stays Up' {
        Set-LvsHealthCheck -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs.rs2 -Type Http -IntervalSec 2 -Retry 1
        (Get-LvsHealthCheck -Director $LabName -RealAddress $Rs.rs2).IntervalSec | Should -Be 2
        (Get-LvsHealthCheck -Director $LabName -RealAddress $Rs.rs2).Retry | Should -Be 1
        (Get-LvsHealthCheck -Director $LabName -RealAddress $Rs.rs1).IntervalSec | Should -Be 1
        $conf = (Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'cat /etc/keepalived/keepalived.conf') -join "`n"
        $conf | Should -Match 'delay_loop 2'
        $conf | Should -Match 'retry 1'
        Wait-KernelHealth rs2 Up | Out-Null
    }

    It 'removes the checks: keepalived keeps the service, the real servers stay in the table, no check is listed' {
        Get-LvsRealServer -Director $LabName -Port 80 | Remove-LvsHealthCheck -Confirm:$false
        Get-LvsHealthCheck -Director $LabName | Should -BeNullOrEmpty
        (Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'cat /etc/keepalived/keepalived.conf') -join "`n" | Should -Not -Match 'HTTP_GET'
        Start-Sleep -Seconds 1
        $lines = (Get-Table) -split "`n"
        foreach ($n in 'rs1', 'rs2') { ($lines | Where-Object { $_ -like "  -> $($Rs[$n]):80 *" }) | Should -Not -BeNullOrEmpty }
        (Get-LvsHealth -Director $LabName -Port 80) | ForEach-Object { "$($_.State)" | Should -Be 'Up'; $_.Checks | Should -Be '' }
        $t = Test-LvsCluster -Director $LabName -Include RealServerHealthy
        @($t | ForEach-Object { "$($_.Result)" }) | Should -Be @('NotApplicable', 'NotApplicable')
    }

    It 'refuses a second checker of the same type with HealthCheckExists, and a missing one with HealthCheckNotFound' {
        Add-LvsHealthCheck -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs.rs2 -Type Tcp -IntervalSec 1 -TimeoutSec 1
        { Add-LvsHealthCheck -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs.rs2 -Type Tcp -ErrorAction Stop } |
            Should -Throw -ErrorId 'HealthCheckExists,LvsPS.Commands.AddLvsHealthCheckCommand'
        { Remove-LvsHealthCheck -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs.rs1 -Type Http -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'HealthCheckNotFound,LvsPS.Commands.RemoveLvsHealthCheckCommand'
        Wait-KernelHealth rs2 Up | Out-Null
    }

    It 'deletes the service from keepalived.conf and the table with Remove-LvsService' {
        Remove-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Confirm:$false
        (Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'cat /etc/keepalived/keepalived.conf') -join "`n" | Should -Not -Match 'virtual_server'
        Start-Sleep -Seconds 1
        Get-LvsService -Director $LabName | Should -BeNullOrEmpty
    }
}
