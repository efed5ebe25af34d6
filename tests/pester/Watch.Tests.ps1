#Requires -Version 7.4
# Watch-LvsService on a real lab: an engine director forwarding by direct routing to two nginx real servers, a
# bounded curl load from the lab's client through the VIP, then two frames of the watch captured as text (the
# service, both real servers, non-zero rates, a quiesced real server marked W0) and as -PassThru snapshots.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1')
    $script:TestLab = New-LvsTestLab -NamePrefix watchsvc -Network 10.165 -RealServerCount 2 -StartDirector -HideRealServers
    $script:LabName = $TestLab.Name; $script:Vip = $TestLab.VirtualAddress; $script:Rs = $TestLab.RealServers
    New-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler rr | Out-Null
    foreach ($n in 'rs1', 'rs2') {
        Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs[$n] -Forwarding Route -Weight 1 | Out-Null
    }
    function Invoke-Load([int]$Count) {
        # bounded: $Count requests one after the other, each at most 2 s; returns how many answered 200
        $cmd = "n=0; for i in `$(seq $Count); do c=`$(curl -s -m 2 -o /dev/null -w '%{http_code}' http://$($Vip):80/test.html); [ `"`$c`" = 200 ] && n=`$((n+1)); done; echo `$n"
        [int]((Invoke-LvsLabCommand -Lab $LabName -Node client -Command $cmd) -join '')
    }
    $script:Answered = Invoke-Load 150
    # The rates are the estimator's, folded every 2 s as the kernel's are: a fast load can fall between two folds
    # and both frames before the next (CI once saw all zero). One fold after the load, its rates show.
    Start-Sleep -Milliseconds 2500
}

AfterAll {
    Remove-LvsTestLab -Name $script:LabName
}

Describe 'Watch-LvsService' {
    It 'prints two frames (redirected: one after the other, no colours) with the service, its real servers and non-zero rates' {
        $Answered | Should -Be 150
        Set-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Rs['rs2'] -Weight 0 | Out-Null
        $lines = @(Watch-LvsService -Director $LabName -Count 2 -Interval 1 -Width 80)
        $text = $lines -join "`n"
        Write-Host $text
        @($lines | Where-Object { $_ -like 'Director *frame*' }).Count | Should -Be 2
        $text | Should -Not -Match "`e"
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 }
        $svc = @($lines | Where-Object { $_ -like "TCP $($Vip):80 rr*" })
        $svc.Count | Should -Be 2
        # CPS InPPS OutPPS InBPS OutBPS after the name: CPS and InPPS and InBPS above 0 (OutPPS 0 in DR)
        $fields = -split $svc[-1]
        [int]$fields[3] | Should -BeGreaterThan 0 -Because 'the service took 150 connections in the last seconds'
        [int]$fields[4] | Should -BeGreaterThan 0
        $fields[5] | Should -Be '0' -Because 'in DR the director sees no replies'
        $rs1 = @($lines | Where-Object { $_ -like "  $($Rs['rs1']):80 w1*" })
        $rs2 = @($lines | Where-Object { $_ -like "  $($Rs['rs2']):80 w0*" })
        $rs1.Count | Should -Be 2
        $rs2.Count | Should -Be 2
        $rs2[-1] | Should -Match ' W0 '
        $rs1[-1] | Should -Not -Match ' W0 '
        # both served half of the 150 connections (rr), the bar and the share say so
        $rs1[-1] | Should -Match '#{4}\.{4}\s+50%$'
    }

    It 'emits snapshot objects with -PassThru' {
        $snaps = @(Watch-LvsService -Director $LabName -Count 2 -Interval 1 -PassThru)
        $snaps.Count | Should -Be 2
        $snaps[0].GetType().FullName | Should -Be 'LvsPS.Management.Watch.LvsServiceWatchSnapshot'
        $snaps.Frame | Should -Be @(1, 2)
        ($snaps[1].Time - $snaps[0].Time).TotalSeconds | Should -BeGreaterOrEqual 0.9
        $svc = $snaps[1].Services | Where-Object { $_.Port -eq 80 }
        $svc.RealServers.RealAddress | Sort-Object | Should -Be (@($Rs['rs1'], $Rs['rs2']) | ForEach-Object { "$_" } | Sort-Object)
        $svc.Statistics.Connections | Should -BeGreaterOrEqual 150
        $svc.Statistics.ConnectionsPerSecond | Should -BeGreaterThan 0
        ($snaps[1] | Format-Table | Out-String -Width 80) | Should -Match $LabName
    }
}
