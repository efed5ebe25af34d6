#Requires -Version 7.4
<#
.SYNOPSIS
    Director failover under load: kill -9 of the master's lvsd, or the master's link cut, while a request loop and
    long-lived TCP sessions run through the VIP; how soon traffic resumes and how many sessions go on.
.DESCRIPTION
    Builds a lab with two LvsPS directors (director1, director2) and two real servers. Each director gets the same
    services (VIP:23, the lab's echoing telnet-like service, and VIP:80, nginx; rr over both real servers), one VRRP
    instance (director1 priority 150, director2 100; VRRPv3, -AdvertInterval) and both sync daemons (master and
    backup, sync id 51) on eth0; the real servers get the VIP on lo with ARP hidden.

    Each round: wait until director1 is master; start flowprobe in the client's namespace (-Sessions long-lived
    sessions to VIP:23, one line each 200 ms; one new HTTP request at a time to VIP:80, at most 250 ms each); after
    3 s fail the master (director1, or with -NoPreempt whichever is master) (-Mode Kill: SIGKILL its lvsd; -Mode LinkCut: its link down on the switch); after 5 more s
    bring it back (Start-LvsDirector, or the link up), which preempts after the preempt delay; the probe runs 16 s.
    Per round it reports:
      ResumeSec    the outage: the longest gap between two answered requests from 0.5 s before the failure to the
                   return (one request every ~20 ms, each given 250 ms);
      Survived     sessions that exchanged a line after the takeover and after the old master's return, not reset;
      ReturnGapSec the longest gap between answered requests around the old master's return.
    Prints one object per round and a summary. Removes the lab.
    Dot-sourced (tests/pester/Failover.Tests.ps1), it only defines the functions.
.EXAMPLE
    sudo dotnet pwsh -File bench/failover.ps1 -Rounds 10 -Mode Kill -AdvertInterval 0.25
.EXAMPLE
    sudo dotnet pwsh -File bench/failover.ps1 -Rounds 5 -Mode LinkCut -AdvertInterval 1
.EXAMPLE
    sudo dotnet pwsh -File bench/failover.ps1 -Rounds 20 -Mode Kill -ProbeTimeoutMs 50 -RequestMs 10
    A finer outage: each request given 50 ms, one every 10 ms (the default 250 ms timeout quantizes the outage).
.EXAMPLE
    sudo dotnet pwsh -Command "& ./bench/failover.ps1 -Rounds 10 -Mode LinkCut -DirectorKind Engine, Kernel -KernelMaster"

    The mixed pair: the kernel director (keepalived, its sync daemon) is master and its link is cut each round
    (-Command: -File would pass "Engine,Kernel" as one word).
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 50)][int]$Rounds = 10,
    [ValidateSet('Kill', 'LinkCut')][string]$Mode = 'Kill',
    [ValidateRange(0.01, 40.95)][double]$AdvertInterval = 0.25,
    [ValidateRange(1, 1000)][int]$Sessions = 100,
    [switch]$NoPreempt,
    # each probe request's timeout and the pause between requests: the outage is measured to about their sum
    [ValidateRange(10, 10000)][int]$ProbeTimeoutMs = 250,
    [ValidateRange(1, 1000)][int]$RequestMs = 20,
    [string]$Name = 'failover',
    [string]$Subnet = '10.236.0.0/24',
    # Engine, Kernel: a mixed pair (director1 lvsd, director2 a kernel director with keepalived, in a QEMU guest)
    [ValidateSet('Engine', 'Kernel')][string[]]$DirectorKind = 'Engine',
    # with a mixed pair: the kernel is master (priority 200), so the kernel is the one that fails each round
    [switch]$KernelMaster
)

function Get-FailoverRoot { Split-Path -Parent $PSScriptRoot }

function Get-FailoverProbePath {
    $probe = Join-Path (Get-FailoverRoot) 'out/flowprobe/flowprobe'
    if (-not (Test-Path $probe)) { throw "flowprobe is not built ($probe): run dotnet build LvsPS.sln -c Release" }
    $probe
}

function New-FailoverLab {
    <# The two-director lab with services, VRRP and sync on both directors; returns a context. #>
    param([string]$LabName, [string]$Subnet, [double]$AdvertInterval, [switch]$NoPreempt, [double]$PreemptDelay = 1,
        [ValidateSet('Engine', 'Kernel')][string[]]$DirectorKind = 'Engine')
    $lab = New-LvsLab -Name $LabName -RealServerCount 2 -Subnet $Subnet -DirectorCount 2 -DirectorKind $DirectorKind
    try {
        $vip = $lab.VirtualAddress
        if ($DirectorKind -contains 'Engine') { Start-LvsDirector -Lab $LabName | Out-Null }
        $ctx = [pscustomobject]@{
            LabName = $LabName; Lab = $lab; Vip = $vip; Dir = Join-Path $lab.Directory 'failover'
            Directors = @($lab.Directors | ForEach-Object { "$LabName-$($_.Name)" })
            AdvertInterval = $AdvertInterval; NoPreempt = [bool]$NoPreempt; PreemptDelay = $PreemptDelay
            ProbeTimeoutMs = 250; RequestMs = 20
        }
        New-Item -ItemType Directory -Force -Path $ctx.Dir | Out-Null
        $prio = 150
        foreach ($d in $ctx.Directors) {
            foreach ($port in 23, 80) {
                New-LvsService -Director $d -VirtualAddress $vip -Port $port -Scheduler Rr | Out-Null
                foreach ($rs in $lab.RealServers) {
                    Add-LvsRealServer -Director $d -VirtualAddress $vip -Port $port -RealAddress $rs.Address -Forwarding Route | Out-Null
                }
            }
            $vrrp = @{
                Director = $d; Name = 'VI_1'; Interface = 'eth0'; VirtualRouterId = 51; Priority = $prio
                Version = 3; AdvertInterval = $AdvertInterval; VirtualAddress = $vip; PreemptDelay = $PreemptDelay
            }
            if ($NoPreempt) { $vrrp.NoPreempt = $true }
            New-LvsVrrpInstance @vrrp | Out-Null
            Start-LvsSyncDaemon -Director $d -Role Master -Interface eth0 -SyncId 51 | Out-Null
            Start-LvsSyncDaemon -Director $d -Role Backup -Interface eth0 -SyncId 51 | Out-Null
            $prio -= 50
        }
        Set-LvsRealServerHidden -Lab $LabName
        $ctx
    } catch {
        Remove-LvsLab -Name $LabName -Confirm:$false -ErrorAction SilentlyContinue
        throw
    }
}

function Get-FailoverState($Ctx, [string]$Failed) {
    <# director name -> VRRP state of VI_1 ('Down' when it does not answer; 'Failed' for -Failed, not asked: a cut
       link would only make the question wait for its timeout). #>
    $states = [ordered]@{}
    foreach ($d in $Ctx.Directors) {
        if ($d -eq $Failed) { $states[$d] = 'Failed'; continue }
        $s = Get-LvsVrrpInstance -Director $d -Name VI_1 -ErrorAction SilentlyContinue
        $states[$d] = if ($s) { "$($s.State)" } else { 'Down' }
    }
    $states
}

function Wait-FailoverRoles($Ctx, [double]$TimeoutSec = 20) {
    <# The one master's name once there is one master and one backup, else $null. #>
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while ([DateTime]::UtcNow -lt $deadline) {
        $s = Get-FailoverState $Ctx
        $masters = @($s.Keys | Where-Object { $s[$_] -eq 'Master' })
        $backups = @($s.Keys | Where-Object { $s[$_] -eq 'Backup' })
        if ($masters.Count -eq 1 -and $backups.Count -eq 1) { return $masters[0] }
        Start-Sleep -Milliseconds 100
    }
    $null
}

function Start-FailoverProbe($Ctx, [int]$Sessions, [int]$Seconds, [string]$Out) {
    Remove-Item -Force -ErrorAction SilentlyContinue $Out
    $argv = @('netns', 'exec', $Ctx.Lab.Client.Namespace, (Get-FailoverProbePath), '--target', "$($Ctx.Vip)",
        '--sessions', $Sessions, '--seconds', $Seconds, '--timeout-ms', $Ctx.ProbeTimeoutMs, '--request-ms', $Ctx.RequestMs,
        '--out', $Out)
    Start-Process -FilePath (Get-Command ip).Source -ArgumentList $argv -PassThru -RedirectStandardError "$Out.err"
}

function Get-DirectorPid([string]$Director) {
    $pidFile = "/run/lvsps/$Director.pid"
    if (-not (Test-Path $pidFile)) { return $null }
    [int](Get-Content -Raw $pidFile).Trim()
}

function Get-FailoverLink($Ctx, [string]$Node) {
    <# The switch's end of a director's link: the veth of a namespace, the tap of a virtual machine. #>
    $n = $Ctx.Lab.Directors | Where-Object Name -eq $Node
    if ("$($n.Host)" -eq 'VirtualMachine') { "t-$Node" } else { "p-$Node" }
}

function Invoke-FailoverFault($Ctx, [string]$Mode, [string]$Director, [string]$Node) {
    <# Fails the director now (SIGKILL of its lvsd, or its link down on the switch); returns the Unix ms of the fault. #>
    if ($Mode -eq 'Kill') {
        # SIGKILL of lvsd; a kernel director has no process to kill that would take its VIP away: cut its link
        $p = Get-DirectorPid $Director
        if (-not $p) { throw "no lvsd pid for $Director (a kernel director: use -Mode LinkCut)" }
        $t = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds()
        & kill -9 $p
    } else {
        $t = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds()
        & ip -n $Ctx.Lab.SwitchNamespace link set (Get-FailoverLink $Ctx $Node) down
    }
    $t
}

function Restore-FailoverDirector($Ctx, [string]$Mode, [string]$Node) {
    <# Brings the failed director back (Start-LvsDirector restores its state, or its link up); returns the Unix ms. #>
    $t = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds()
    if ($Mode -eq 'Kill') { Start-LvsDirector -Lab $Ctx.LabName -Node $Node | Out-Null }
    else { & ip -n $Ctx.Lab.SwitchNamespace link set (Get-FailoverLink $Ctx $Node) up }
    $t
}

function Measure-FailoverRound($Ctx, [string]$Mode, [int]$Sessions, [int]$Round = 1) {
    <# One round: probe, the master failed at +3 s, back at +8 s, the probe ends at +16 s; the round's figures. #>
    # the director failed is the master now (with nopreempt the roles swap each round)
    $first = Wait-FailoverRoles $Ctx
    if (-not $first) { throw "round ${Round}: not one master and one backup: $((Get-FailoverState $Ctx | Out-String).Trim())" }
    $node = $Ctx.Lab.Directors[[Array]::IndexOf([string[]]$Ctx.Directors, $first)].Name
    $out = Join-Path $Ctx.Dir "probe-$Round.json"
    $probe = Start-FailoverProbe $Ctx $Sessions 16 $out
    try {
        Start-Sleep -Seconds 3
        $faultMs = Invoke-FailoverFault $Ctx $Mode $first $node
        Start-Sleep -Seconds 5
        $afterFault = Get-FailoverState $Ctx -Failed $first
        $returnMs = Restore-FailoverDirector $Ctx $Mode $node
        $probe.WaitForExit(30000) | Out-Null
    } finally {
        if (-not $probe.HasExited) { $probe.Kill() }
    }
    $afterReturn = Get-FailoverState $Ctx
    if (-not (Test-Path $out)) { throw "round ${Round}: flowprobe wrote nothing: $(Get-Content -Raw "$out.err" -ErrorAction SilentlyContinue)" }
    $r = Get-Content -Raw $out | ConvertFrom-Json
    $ok = @($r.requests | Where-Object ok)
    # the outage as the request loop saw it: the longest gap between two answers from just before the fault to the
    # return (a request in flight at the fault may still be answered by its real server, so "first answer after the
    # fault" would understate it)
    $around = @($ok | ForEach-Object { $_.startMs + $_.ms } | Where-Object { $_ -ge $faultMs - 500 -and $_ -le $returnMs })
    $resume = $null
    if ($around.Count -ge 2) {
        $resume = 0
        for ($i = 1; $i -lt $around.Count; $i++) { $resume = [Math]::Max($resume, $around[$i] - $around[$i - 1]) }
        $resume /= 1000
    }
    # the longest gap between answers from half a second before the return to the end
    $ends = @($ok | ForEach-Object { $_.startMs + $_.ms } | Where-Object { $_ -ge $returnMs - 500 })
    $gap = 0
    for ($i = 1; $i -lt $ends.Count; $i++) { $gap = [Math]::Max($gap, $ends[$i] - $ends[$i - 1]) }
    # "went on" has two halves, counted apart and together: bytes through the new master, and bytes after the old one
    # is back; a session survived when it is still open and did both
    $takeoverBy = $faultMs + 2500
    $inTakeover = { param($s) @($s.echoes | Where-Object { $_ -gt $takeoverBy -and $_ -lt $returnMs }).Count -gt 0 }
    $echoedAfterReturn = { param($s) @($s.echoes | Where-Object { $_ -gt $returnMs + 3000 }).Count -gt 0 }
    $open = @($r.sessions | Where-Object { $_.openedMs -gt 0 -and -not $_.closedMs })
    $duringTakeover = @($open | Where-Object { & $inTakeover $_ }).Count
    $afterReturnOk = @($open | Where-Object { & $echoedAfterReturn $_ }).Count
    $survived = @($open | Where-Object { (& $inTakeover $_) -and (& $echoedAfterReturn $_) }).Count
    [pscustomobject]@{
        Round        = $Round
        Mode         = $Mode
        AdvertSec    = $Ctx.AdvertInterval
        Failed       = $first
        ResumeSec    = $resume
        Survived     = $survived
        EchoedAfterTakeover = $duringTakeover
        EchoedAfterReturn   = $afterReturnOk
        Sessions     = @($r.sessions).Count
        Resets       = @($r.sessions | Where-Object closedMs).Count
        # sessions open when the master failed, and those of them reset or closed afterwards
        AliveAtFault = @($r.sessions | Where-Object { $_.openedMs -gt 0 -and (-not $_.closedMs -or $_.closedMs -ge $faultMs) }).Count
        ResetsAfterFault = @($r.sessions | Where-Object { $_.closedMs -and $_.closedMs -ge $faultMs }).Count
        CloseReasons = (@($r.sessions | Where-Object closedMs | ForEach-Object { "$($_.closeReason) at +$([Math]::Round(($_.closedMs - $faultMs) / 1000, 2)) s on $($_.server)" }) -join '; ')
        ReturnGapSec = $gap / 1000
        Requests     = @($r.requests).Count
        Answered     = $ok.Count
        AfterFault   = ($afterFault.Values -join '/')
        AfterReturn  = ($afterReturn.Values -join '/')
    }
}

if ($MyInvocation.InvocationName -eq '.') { return }

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path (Get-FailoverRoot) 'LvsPS.psd1') -Force
$ctx = New-FailoverLab -LabName $Name -Subnet $Subnet -AdvertInterval $AdvertInterval -NoPreempt:$NoPreempt -DirectorKind $DirectorKind
$ctx.ProbeTimeoutMs = $ProbeTimeoutMs; $ctx.RequestMs = $RequestMs
try {
    if ($KernelMaster) {
        # the directors are named in the order of -DirectorKind
        $kernel = $ctx.Directors[[Array]::IndexOf([string[]]$DirectorKind, 'Kernel')]
        Set-LvsVrrpInstance -Director $kernel -Name VI_1 -Priority 200
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while ((Wait-FailoverRoles $ctx) -ne $kernel -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
    }
    $results = foreach ($i in 1..$Rounds) {
        $row = Measure-FailoverRound $ctx $Mode $Sessions $i
        $row
        Write-Host ("round {0}: {1} failed, resume {2:n3} s, survived {3}/{4} (echoed after the takeover {8}, after the return {9}), return gap {5:n3} s, {6} -> {7}" -f $i,
            $row.Failed, $row.ResumeSec, $row.Survived, $row.Sessions, $row.ReturnGapSec, $row.AfterFault, $row.AfterReturn,
            $row.EchoedAfterTakeover, $row.EchoedAfterReturn)
        if ($row.Resets) { Write-Host "  closed: $($row.CloseReasons)" }
    }
    $resumes = @($results | ForEach-Object ResumeSec | Where-Object { $null -ne $_ } | Sort-Object)
    [pscustomobject]@{
        Rounds          = $Rounds
        Mode            = $Mode
        AdvertSec       = $AdvertInterval
        NoPreempt       = [bool]$NoPreempt
        ProbeTimeoutMs  = $ProbeTimeoutMs
        ResumeMedianSec = if ($resumes) { $resumes[[int][Math]::Floor(($resumes.Count - 1) / 2)] } else { $null }
        ResumeMaxSec    = if ($resumes) { $resumes[-1] } else { $null }
        SurvivedTotal   = ($results | Measure-Object Survived -Sum).Sum
        SessionsTotal   = ($results | Measure-Object Sessions -Sum).Sum
        ReturnGapMaxSec = ($results | Measure-Object ReturnGapSec -Maximum).Maximum
    } | Format-List
} finally {
    Remove-LvsLab -Name $Name -Confirm:$false
}
