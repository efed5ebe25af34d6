#Requires -Version 7.4
# Engine and kernel compared: the same configuration and the same client connections through lvsd (an engine lab)
# and through the real kernel IPVS (a kernel lab: Debian's 6.1 kernel under QEMU, ipvsadm 1.31) must give the same
# real server for every connection and the same listings, byte for byte. Both labs have the same name and subnet, so
# the same addresses and MACs; the scenarios (every kernel scheduler but twos, persistence with netmasks, firewall
# marks, thresholds, weights changed in the middle of the run, quiesced and removed servers) are in
# EngineKernelDiff.Scenarios.ps1, each on a VIP of its own, all in one boot of each lab.
# Needs qemu-system-x86_64 (build.sh installs it); without it every test fails and says so.

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'EngineKernelDiff.Scenarios.ps1')
    $scn = Get-EngineKernelScenario
    $script:ScenarioCases = @($scn.Keys | Where-Object { -not $scn[$_].ContainsKey('NotCompared') } | ForEach-Object { @{ Scenario = $_ } })
    $script:ListingCases = @(
        @{ Listing = 'list'; Command = 'ipvsadm -L -n' }
        @{ Listing = 'stats'; Command = 'ipvsadm -L -n --stats' }
        @{ Listing = 'statsExact'; Command = 'ipvsadm -L -n --stats --exact' }
        @{ Listing = 'thresholds'; Command = 'ipvsadm -L -n --thresholds' }
        @{ Listing = 'persistentConn'; Command = 'ipvsadm -L -n --persistent-conn' }
        @{ Listing = 'save'; Command = 'ipvsadm -S -n' }
        @{ Listing = 'timeout'; Command = 'ipvsadm -L --timeout' }
        @{ Listing = 'connections'; Command = 'ipvsadm -L -n -c' }
    )
}

BeforeAll {
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'LvsPS.TestHelpers.psm1') -Force
    Import-LvsTestModule
    . (Join-Path $PSScriptRoot 'EngineKernelDiff.Scenarios.ps1')
    if (-not (Get-Command qemu-system-x86_64 -CommandType Application -ErrorAction SilentlyContinue)) {
        throw 'qemu-system-x86_64 is not installed: the engine/kernel comparison boots a kernel lab under QEMU (./build.sh installs qemu-system-x86).'
    }
    $script:LabName = 'ddk'
    $script:Kernel = Invoke-EngineKernelRun -Kind Kernel -Name $LabName -Network 10.226.0
    $script:Engine = Invoke-EngineKernelRun -Kind Engine -Name $LabName -Network 10.226.0
    Write-Host "kernel run $($Kernel.Seconds) s, engine run $($Engine.Seconds) s; client retransmissions $($Kernel.ClientRetrans) and $($Engine.ClientRetrans)"

    function script:ConvertTo-Outcome([string]$Text) {
        # socat's error line carries a time stamp and a pid: only what happened is compared.
        if ($Text -match 'Connection refused') { 'refused' } elseif ($Text -match '^none') { 'none' } else { $Text }
    }

    function script:Get-Served([hashtable]$Run, [string]$Scenario) {
        @($Run.Served.Keys | Where-Object { $_ -like "$Scenario/*" } | ForEach-Object { "$_ $(ConvertTo-Outcome $Run.Served[$_])" })
    }

    function script:Assert-SameLines([string[]]$Expected, [string[]]$Actual, [string]$Command) {
        for ($i = 0; $i -lt [math]::Max($Expected.Count, $Actual.Count); $i++) {
            $x = if ($i -lt $Expected.Count) { $Expected[$i] } else { '<none>' }
            $a = if ($i -lt $Actual.Count) { $Actual[$i] } else { '<none>' }
            $a | Should -BeExactly $x -Because "line $($i + 1) of '$Command' (kernel: '$x')"
        }
    }

    function script:Assert-SameStats([string[]]$Expected, [string[]]$Actual, [string]$Command) {
        # --stats with a retransmission in either run: a segment the client sent twice reached that run's director
        # twice (InPkts and InBytes count it twice; nothing else changes), so those two columns may differ by what the
        # runs retransmitted, and only in the direction of the run that did; every other column and line is exact.
        $rk = $Kernel.ClientRetrans; $re = $Engine.ClientRetrans
        $Actual.Count | Should -Be $Expected.Count -Because "'$Command' has as many lines in both runs"
        $morePkts = 0; $fewerPkts = 0
        for ($i = 0; $i -lt $Expected.Count; $i++) {
            $x = @($Expected[$i].Trim() -split '\s+'); $a = @($Actual[$i].Trim() -split '\s+')
            if ($x.Count -lt 6 -or $x[-5] -notmatch '^\d+$' -or $x.Count -ne $a.Count -or ($x[-5..-1] + $a[-5..-1]) -notmatch '^\d+$') {
                $Actual[$i] | Should -BeExactly $Expected[$i] -Because "line $($i + 1) of '$Command' (kernel: '$($Expected[$i])')"
                continue
            }
            $because = "line $($i + 1) of '$Command' (kernel: '$($Expected[$i])', engine: '$($Actual[$i])'; client retransmissions: kernel run $rk, engine run $re)"
            ($a[0..($a.Count - 6)] -join ' ') | Should -BeExactly ($x[0..($x.Count - 6)] -join ' ') -Because $because
            foreach ($col in -5, -3, -1) { $a[$col] | Should -Be $x[$col] -Because "$because; Conns, OutPkts and OutBytes are exact" }
            $dPkts = [long]$x[-4] - [long]$a[-4]; $dBytes = [long]$x[-2] - [long]$a[-2]
            [math]::Sign($dBytes) | Should -Be ([math]::Sign($dPkts)) -Because "$because; InBytes moves with InPkts"
            [math]::Abs($dBytes) | Should -BeLessOrEqual (60 * [math]::Abs($dPkts)) -Because "$because; a client segment here carries no data (at most 60 bytes of headers)"
            if ($x[0] -ne '->') { if ($dPkts -gt 0) { $morePkts += $dPkts } else { $fewerPkts -= $dPkts } }
        }
        $morePkts | Should -BeLessOrEqual $rk -Because "the kernel's services count at most $rk more packets (its run's retransmissions) in '$Command'"
        $fewerPkts | Should -BeLessOrEqual $re -Because "lvsd's services count at most $re more packets (its run's retransmissions) in '$Command'"
    }

    function script:ConvertTo-Lines([string]$Listing, [AllowNull()][string]$Text) {
        $lines = @(($Text ?? '') -replace "`r", '' -split "`n")
        while ($lines.Count -gt 0 -and $lines[-1] -eq '') { $lines = $lines[0..($lines.Count - 2)] }
        if ($Listing -ne 'connections') { return $lines }
        # -c: the expire countdown (MM:SS) says when each entry was last touched, which depends on how long each run
        # took, so it is blanked; and the rows are sorted, because the kernel lists its connection hash table, whose
        # buckets follow ip_vs_conn_rnd, a random seed drawn at boot (two boots of one kernel differ too).
        $head = @($lines | Select-Object -First 2)
        $rows = @($lines | Select-Object -Skip 2 | ForEach-Object { $_ -replace '^(\S+\s+)\d+:\d\d(\s)', '$1--:--$2' } | Sort-Object)
        $head + $rows
    }
}

AfterAll { Remove-LvsLab -Name $script:LabName -Confirm:$false -ErrorAction SilentlyContinue }

Describe 'Engine and kernel compared (the same traffic through lvsd and through kernel IPVS)' {
    It 'the kernel run answered the connections (sanity of the traffic)' {
        $outcomes = @($Kernel.Served.Values | ForEach-Object { ConvertTo-Outcome $_ })
        $outcomes.Count | Should -BeGreaterThan 250
        @($outcomes | Where-Object { $_ -match '^rs[123]$' }).Count | Should -BeGreaterThan 240
        # Refused only where the kernel finds no server: sh on a quiesced server (no fallback), ovf all overloaded.
        @($Kernel.Served.Keys | Where-Object { (ConvertTo-Outcome $Kernel.Served[$_]) -notmatch '^rs' } | ForEach-Object { ($_ -split '/')[0] } |
            Where-Object { $_ -notin 'sh', 'ovf' }) | Should -BeNullOrEmpty
        $Engine.Served.Count | Should -Be $Kernel.Served.Count
        $Kernel.ClientRetrans | Should -BeGreaterOrEqual 0 -Because "RetransSegs was read from the client namespace"
        $Engine.ClientRetrans | Should -BeGreaterOrEqual 0
    }

    It 'sends every connection of <Scenario> to the same real server' -ForEach $ScenarioCases {
        $k = Get-Served $Kernel $Scenario
        $k.Count | Should -BeGreaterThan 0
        (Get-Served $Engine $Scenario) -join "`n" | Should -Be ($k -join "`n")
    }

    It 'schedules a mid-flow ACK on mh as the kernel with sloppy_tcp=1 does (lvsd at its default), on rr as with sloppy_tcp on both' {
        $Kernel.SloppyTcp | Should -BeTrue -Because 'Set-LvsDefense -SloppyTcp set net.ipv4.vs.sloppy_tcp=1 in the guest and Get-LvsDefense read it back'
        $Engine.SloppyTcp | Should -BeTrue
        @($Kernel.MidFlowMh.Values | Where-Object { $_ -notmatch '^rs[123]$' }) | Should -BeNullOrEmpty -Because 'every segment reached a real server through the kernel'
        @($Kernel.MidFlowMh.Values | Select-Object -Unique).Count | Should -BeGreaterThan 1
        ($Engine.MidFlowMh.Keys | ForEach-Object { "$_ $($Engine.MidFlowMh[$_])" }) -join "`n" |
            Should -Be (($Kernel.MidFlowMh.Keys | ForEach-Object { "$_ $($Kernel.MidFlowMh[$_])" }) -join "`n")
    }

    It 'differs as documented with sloppy_tcp=0: the kernel leaves a mid-flow ACK on mh to its own stack, lvsd schedules it by the Maglev table' {
        $Kernel.MidFlowDefault.Count | Should -Be 6
        @($Kernel.MidFlowDefault.Values | Select-Object -Unique) | Should -Be @('director') -Because 'without sloppy_tcp IPVS lets it pass to the director, whose TCP resets it'
        foreach ($client in $Engine.MidFlowDefault.Keys) {
            # mhd has the real servers and weights of mhs, so the same Maglev table: where the kernel sent mhs's segment.
            $Engine.MidFlowDefault[$client] | Should -Be $Kernel.MidFlowMh[$client] -Because "client .$client"
        }
        $Engine.MidFlowDefault.Count | Should -Be 6
    }

    It 'lists the same <Command>' -ForEach $ListingCases {
        $k = @(ConvertTo-Lines $Listing $Kernel.Listings[$Listing])
        $k.Count | Should -BeGreaterThan 0 -Because 'the kernel listing is not empty'
        $e = @(ConvertTo-Lines $Listing $Engine.Listings[$Listing])
        if ($Listing -like 'stats*' -and ($Kernel.ClientRetrans + $Engine.ClientRetrans) -gt 0) {
            Write-Host "client retransmissions: kernel run $($Kernel.ClientRetrans), engine run $($Engine.ClientRetrans); '$Command' compared with them allowed for"
            Assert-SameStats $k $e $Command
        } else {
            Assert-SameLines $k $e $Command
        }
    }
}

Describe 'The kernel director through the cmdlets (KernelDirector: ipvsadm parsed and formatted again)' {
    It 'prints what ipvsadm prints for <Command>' -ForEach $ListingCases {
        $k = @(ConvertTo-Lines $Listing $Kernel.Listings[$Listing])
        Assert-SameLines $k @(ConvertTo-Lines $Listing $Kernel.CmdletListings[$Listing]) $Command
    }
}
