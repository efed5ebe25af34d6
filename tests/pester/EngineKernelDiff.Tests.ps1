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
    $script:Network = '10.226.0'
    $script:Kernel = Invoke-EngineKernelRun -Kind Kernel -Name $LabName -Network $Network
    $script:Engine = Invoke-EngineKernelRun -Kind Engine -Name $LabName -Network $Network
    Write-Host "kernel run $($Kernel.Seconds) s, engine run $($Engine.Seconds) s"

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
        # --stats where the two runs' listings differ: how many segments a client sends is not all the director's
        # doing (a real server's reply written as one segment or two is acknowledged once or twice, as its timing
        # falls), so InPkts and InBytes may differ between the runs by exactly what the client sent more or less to
        # that VIP, as counted on the client's own interface in each run (Segments); every other column and line is
        # exact, and a service's real servers together account for the service's difference.
        $Actual.Count | Should -Be $Expected.Count -Because "'$Command' has as many lines in both runs"
        $vipOfMark = @{}; $scn = Get-EngineKernelScenario
        foreach ($s in $scn.Values) { if ($s.ContainsKey('Mark')) { $vipOfMark["$($s.Mark)"] = "$Network.$($s.Host)" } }
        $service = $null; $svcDelta = @(0, 0); $rsDelta = @(0, 0)
        function Close-Service {
            if ($null -ne $service) {
                "$($rsDelta[0]) $($rsDelta[1])" | Should -Be "$($svcDelta[0]) $($svcDelta[1])" -Because "the real servers of '$service' differ (InPkts InBytes) as the service does in '$Command'"
            }
        }
        for ($i = 0; $i -lt $Expected.Count; $i++) {
            $x = @($Expected[$i].Trim() -split '\s+'); $a = @($Actual[$i].Trim() -split '\s+')
            $numeric = $x.Count -ge 6 -and $x.Count -eq $a.Count -and -not (($x[-5..-1] + $a[-5..-1]) -notmatch '^\d+$')
            if (-not $numeric) { $Actual[$i] | Should -BeExactly $Expected[$i] -Because "line $($i + 1) of '$Command' (kernel: '$($Expected[$i])')"; continue }
            $because = "line $($i + 1) of '$Command' (kernel: '$($Expected[$i])', engine: '$($Actual[$i])')"
            ($a[0..($a.Count - 6)] -join ' ') | Should -BeExactly ($x[0..($x.Count - 6)] -join ' ') -Because $because
            foreach ($col in -5, -3, -1) { $a[$col] | Should -Be $x[$col] -Because "$because; Conns, OutPkts and OutBytes are exact" }
            $d = @(([long]$x[-4] - [long]$a[-4]), ([long]$x[-2] - [long]$a[-2]))
            if ($x[0] -eq '->') { $rsDelta = @(($rsDelta[0] + $d[0]), ($rsDelta[1] + $d[1])); continue }
            Close-Service
            $service = "$($x[0]) $($x[1])"; $svcDelta = $d; $rsDelta = @(0, 0)
            $vip = if ($x[0] -eq 'FWM') { $vipOfMark[$x[1]] } else { ($x[1] -split ':')[0] }
            $k = $Kernel.Segments[$vip]; $e = $Engine.Segments[$vip]
            $k | Should -Not -BeNullOrEmpty -Because "the client's segments to $vip were counted in the kernel run"
            $e | Should -Not -BeNullOrEmpty -Because "the client's segments to $vip were counted in the engine run"
            "$($d[0]) $($d[1])" | Should -Be "$($k[0] - $e[0]) $($k[1] - $e[1])" -Because "$because; the client sent $($k[0]) segments ($($k[1]) bytes) to $vip in the kernel run and $($e[0]) ($($e[1]) bytes) in the engine run"
        }
        Close-Service
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
        # The client's segment counter ran in both runs and saw the traffic: segments to every scenario's VIP.
        foreach ($run in $Kernel, $Engine) {
            $run.Segments.Count | Should -Be (Get-EngineKernelScenario).Count -Because "the $($run.Kind) run counted the client's segments to every VIP"
            @($run.Segments.Keys | Where-Object { $run.Segments[$_][0] -gt 0 }).Count | Should -BeGreaterThan 20 -Because "the $($run.Kind) run's client sent segments to the VIPs"
        }
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
        if ($Listing -like 'stats*' -and ($k -join "`n") -ne ($e -join "`n")) {
            Write-Host "'$Command' differs between the runs: InPkts and InBytes checked against the client's own segment counts"
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
