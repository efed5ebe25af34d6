#Requires -Version 7.4
<#
.SYNOPSIS
    Measures lvsd's health checks with real packets: how long after nginx stops on a real server the director takes it
    out of the table, how many client requests fail meanwhile, and how long after a restart it is back.
.DESCRIPTION
    Each cycle runs a bounded client loop in the lab's client namespace (one curl through the VIP every
    -RequestIntervalMs, at most 15 s), waits a random part of the check interval, stops the real server's nginx by
    the pid file in the lab's folder, waits until Get-LvsHealth says Down, lets the loop run on for a second and a
    random part of the interval, restarts nginx exactly as the lab starts it, waits until Get-LvsHealth says Up,
    then stops the loop and reads its log. Times are the host clock on both sides: the
    client loop's $EPOCHREALTIME and lvsd's LastChange (the moment the engine changed the table, under its lock).

        detection  = LastChange(Down) - the moment before nginx was sent SIGTERM
        recovery   = LastChange(Up)   - the moment before nginx was started again
        failed     = client requests in that cycle that got no page (curl could not connect: the RST of the stopped port)

    Per cycle it also checks keepalived's promise: no request that started after the detection (and ended before the
    server was back) went to the stopped server, none failed, and the server's Connections counter did not move
    while it was out.

    Without -Lab the script builds its own lab (random name, 10.239.x.0/24, two real servers, the VIP:80 service rr
    with an HTTP_GET check of /test.html on each real server) and removes it at the end; with -Lab it uses that lab,
    whose VIP:80 service must already have health checks on -Node (the Pester suite tests/pester/Health.Tests.ps1 runs
    it so, with -Cycles 3).

    Reproduce the figures of docs/PERFORMANCE.md (as root, from the checkout, after a Release build):

        flock /tmp/lvsps-lab.lock dotnet pwsh -NoLogo -NoProfile -File bench/health-detect.ps1 -Cycles 20
.PARAMETER Cycles
    How many failure/recovery cycles (1..200).
.PARAMETER Lab
    An existing lab to use; without it the script builds and removes its own.
.PARAMETER Node
    The real server whose nginx is stopped (rs1 ...).
.PARAMETER IntervalSec
    delay_loop of the checks the script adds (own lab only).
.PARAMETER TimeoutSec
    connect_timeout of the checks the script adds (own lab only).
.PARAMETER Retry
    retry of the checks the script adds (own lab only).
.PARAMETER RequestIntervalMs
    The client loop's pause between requests.
.PARAMETER PassThru
    Writes one object per cycle and the summary object instead of the summary text only.
.OUTPUTS
    Text (a summary, and the markdown table rows), or with -PassThru the cycle objects and a summary object.
.EXAMPLE
    flock /tmp/lvsps-lab.lock dotnet pwsh -NoLogo -NoProfile -File bench/health-detect.ps1 -Cycles 20
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 200)][int]$Cycles = 20,
    [string]$Lab,
    [ValidatePattern('^rs\d+$')][string]$Node = 'rs1',
    [double]$IntervalSec = 1,
    [double]$TimeoutSec = 1,
    [int]$Retry = 0,
    [ValidateRange(20, 1000)][int]$RequestIntervalMs = 100,
    [switch]$PassThru
)
# The functions below are also what tests/pester/Health.Tests.ps1 uses: dot-sourced (. ./health-detect.ps1), the
# script only defines them and returns before the run.

function ConvertTo-Epoch([DateTime]$Time) {
    # lvsd's times are UTC; a deserialized DateTime may come back Local or Unspecified.
    $t = if ($Time.Kind -eq 'Local') { $Time.ToUniversalTime() } else { [DateTime]::SpecifyKind($Time, 'Utc') }
    ($t - [DateTime]::UnixEpoch).TotalSeconds
}

function Get-Epoch { ([DateTime]::UtcNow - [DateTime]::UnixEpoch).TotalSeconds }

function ConvertFrom-EpochText([string]$Text) { [double]::Parse($Text.Trim().Replace(',', '.'), [Globalization.CultureInfo]::InvariantCulture) }

function Stop-HealthNginx {
    # SIGTERM to the pid in the real server's own nginx.pid (never by name); waits until nginx has exited.
    # Returns the host time just before the signal.
    param([string]$LabName, [string]$NodeName, [string]$Dir)
    $pidFile = "$Dir/nginx.pid"
    $out = Invoke-LvsLabCommand -Lab $LabName -Node $NodeName -Command (
        "p=`$(cat '$pidFile') || exit 3; t=`$(date +%s.%N); kill -TERM `"`$p`" || exit 4; " +
        "i=0; while [ `$i -lt 500 ] && { kill -0 `"`$p`" 2>/dev/null || [ -e '$pidFile' ]; }; do sleep 0.01; i=`$((i+1)); done; " +
        "kill -0 `"`$p`" 2>/dev/null && exit 5; echo `$t")
    ConvertFrom-EpochText ($out | Select-Object -Last 1)
}

function Start-HealthNginx {
    # Starts the real server's nginx again as the lab starts it (its own nginx.conf, prefix, error log and log file, in
    # its namespace, in a new session); waits until it answers on the real server's own address. Returns the host time
    # just before the start.
    param([string]$LabName, [string]$NodeName, [string]$Dir, [string]$Address)
    $out = Invoke-LvsLabCommand -Lab $LabName -Node $NodeName -Command (
        "n=`$(command -v nginx || echo /usr/sbin/nginx); cd '$Dir' || exit 3; t=`$(date +%s.%N); " +
        "setsid -w `"`$n`" -c '$Dir/nginx.conf' -p '$Dir/' -e '$Dir/nginx-error.log' </dev/null >>'$Dir/nginx.log' 2>&1 || exit 4; " +
        "i=0; until curl -s -o /dev/null -m 1 http://$($Address)/test.html; do i=`$((i+1)); [ `$i -ge 100 ] && exit 5; sleep 0.02; done; echo `$t")
    ConvertFrom-EpochText ($out | Select-Object -Last 1)
}

function Wait-HealthState {
    # Polls Get-LvsHealth until the real server is in State with a LastChange after Since; throws after TimeoutSec.
    param([string]$LabName, [ipaddress]$Vip, [ipaddress]$Address, [string]$State, [double]$Since, [double]$TimeoutSec = 10)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while ($true) {
        $h = Get-LvsHealth -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Address
        if ($h -and "$($h.State)" -eq $State -and $h.LastChange -and (ConvertTo-Epoch $h.LastChange) -ge $Since) { return $h }
        if ([DateTime]::UtcNow -ge $deadline) {
            throw "$Address did not become $State within $TimeoutSec s: state $($h.State), last result '$($h.LastResult)', reason '$($h.Reason)'."
        }
        Start-Sleep -Milliseconds 20
    }
}

function Start-HealthClientLoop {
    # A bounded curl loop in the client's namespace (at most MaxRequests, at most 15 s), detached; it writes
    # "<start epoch> <end epoch> <curl exit> <page>" per request to Log when it ends (StopFile ends it early).
    param([string]$LabName, [ipaddress]$Vip, [string]$WorkDir, [string]$Log, [string]$StopFile, [int]$IntervalMs, [int]$MaxRequests = 150)
    $script = Join-Path $WorkDir 'client-loop.sh'
    if (-not (Test-Path $script)) {
        @'
#!/bin/bash
# args: vip log stopfile max-requests pause-seconds first-local-port
vip=$1; log=$2; stop=$3; max=$4; pause=$5; port=$6
: > "$log.tmp"
for ((i = 0; i < max; i++)); do
    [ -e "$stop" ] && break
    t=$EPOCHREALTIME
    p=$(curl -s -m 1 --local-port $((port + i)) "http://$vip/test.html"); e=$?
    t2=$EPOCHREALTIME
    p=${p//[$'\r\n']/}
    printf '%s %s %s %s\n' "$t" "$t2" "$e" "$p" >> "$log.tmp"
    sleep "$pause"
done
mv "$log.tmp" "$log"
'@ | Set-Content -Path $script -Encoding utf8NoBOM -NoNewline
    }
    Remove-Item -ErrorAction SilentlyContinue $Log, $StopFile
    # Every request gets a client port of its own, below the ephemeral range (20000..31999, from a counter in the
    # lab's folder, so two loops in one lab never share one): a port the client reuses while the director still has
    # an entry for it (FIN_WAIT 120 s, SYN_RECV 60 s) would follow that entry (conn_reuse_mode) and not measure the
    # checker; that case has a test of its own in Health.Tests.ps1.
    $counter = Join-Path (Split-Path -Parent $WorkDir) 'health-next-port'
    $first = if (Test-Path $counter) { [int](Get-Content -Raw $counter) } else { 20000 }
    if ($first + $MaxRequests -gt 32000) { $first = 20000 }
    Set-Content -Path $counter -Value ($first + $MaxRequests) -NoNewline
    $pause = ($IntervalMs / 1000.0).ToString('0.###', [Globalization.CultureInfo]::InvariantCulture)
    Invoke-LvsLabCommand -Lab $LabName -Node client -Command "setsid timeout 15 bash '$script' $Vip '$Log' '$StopFile' $MaxRequests $pause $first </dev/null >/dev/null 2>&1 &" | Out-Null
}

function Stop-HealthClientLoop {
    # Ends the loop and returns its requests: T (epoch), Exit (curl's), Server (rs<n>, or failed/none:[page]).
    param([string]$Log, [string]$StopFile)
    New-Item -ItemType File -Force -Path $StopFile | Out-Null
    $deadline = [DateTime]::UtcNow.AddSeconds(20)
    while (-not (Test-Path $Log)) {
        if ([DateTime]::UtcNow -ge $deadline) { throw "The client loop did not end: no $Log." }
        Start-Sleep -Milliseconds 50
    }
    foreach ($line in Get-Content -Path $Log -Encoding utf8) {
        if (-not $line) { continue }
        $t, $t2, $e, $page = $line -split ' ', 4
        $server = if ($page -match 'real server #(\d+)') { "rs$($Matches[1])" } elseif ([int]$e -ne 0) { 'failed' } else { "none:[$page]" }
        [pscustomobject]@{ T = (ConvertFrom-EpochText $t); End = (ConvertFrom-EpochText $t2); Exit = [int]$e; Server = $server }
    }
}

function Get-HealthConnections([string]$LabName, [ipaddress]$Vip, [ipaddress]$Address) {
    [long](Get-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $Address).Statistics.Connections
}

function Invoke-HealthCycle {
    <#
        One failure/recovery cycle on VIP:80; returns what was measured. Throws only when the director never reports
        the change (a broken checker), so the caller sees the failure instead of a figure.
    #>
    param([string]$LabName, [ipaddress]$Vip, [string]$NodeName, [ipaddress]$Address, [string]$Dir, [string]$WorkDir,
        [int]$Index, [int]$IntervalMs = 100, [int]$JitterMs = 1000)
    $log = Join-Path $WorkDir "cycle-$Index.log"; $stop = Join-Path $WorkDir "cycle-$Index.stop"
    Start-HealthClientLoop -LabName $LabName -Vip $Vip -WorkDir $WorkDir -Log $log -StopFile $stop -IntervalMs $IntervalMs
    # A random wait before the stop and before the restart, so that they fall anywhere in the checker's interval
    # (without it the cycles keep nearly the same phase to the checker and the figures are not a distribution).
    Start-Sleep -Milliseconds (600 + (Get-Random -Minimum 0 -Maximum ([math]::Max(1, $JitterMs))))
    $tKill = Stop-HealthNginx -LabName $LabName -NodeName $NodeName -Dir $Dir
    try {
        $down = Wait-HealthState -LabName $LabName -Vip $Vip -Address $Address -State Down -Since $tKill
        $tDown = ConvertTo-Epoch $down.LastChange
        $connsOut1 = Get-HealthConnections $LabName $Vip $Address
        Start-Sleep -Milliseconds (1000 + (Get-Random -Minimum 0 -Maximum ([math]::Max(1, $JitterMs))))
        $connsOut2 = Get-HealthConnections $LabName $Vip $Address
        $textWhileDown = Get-LvsService -Director $LabName -AsText
    } finally {
        $tStart = Start-HealthNginx -LabName $LabName -NodeName $NodeName -Dir $Dir -Address $Address
    }
    $up = Wait-HealthState -LabName $LabName -Vip $Vip -Address $Address -State Up -Since $tStart
    $tUp = ConvertTo-Epoch $up.LastChange
    Start-Sleep -Milliseconds 700
    $reqs = @(Stop-HealthClientLoop -Log $log -StopFile $stop)
    $failed = @($reqs | Where-Object { $_.Server -notlike 'rs*' })
    [pscustomobject]@{
        PSTypeName                = 'LvsPS.HealthCycle'
        Cycle                     = $Index
        DetectSec                 = [math]::Round($tDown - $tKill, 3)
        RecoverSec                = [math]::Round($tUp - $tStart, 3)
        Requests                  = $reqs.Count
        FailedRequests            = $failed.Count
        # keepalived's promise after detection: nothing fails, nothing new goes to the stopped server.
        FailedAfterDetection      = @($failed | Where-Object T -ge $tDown).Count
        # Each of them: when it started (s after the detection), when it ended, curl's exit code.
        FailuresAfterDetection    = @($failed | Where-Object T -ge $tDown | ForEach-Object {
                '+{0:0.000}..+{1:0.000} s exit {2} ({3})' -f ($_.T - $tDown), ($_.End - $tDown), $_.Exit, $(if ($_.T -lt $tStart) { 'while out' } elseif ($_.T -lt $tUp) { 'restarted, not yet back' } else { 'after it was back' }) })
        # (a request counts when it started after the detection and ended before the server was back: its SYN left
        # between the two; one that started just before LastChange(Up) may rightly reach the server that is back)
        ToStoppedAfterDetection   = @($reqs | Where-Object { $_.T -ge $tDown -and $_.End -lt $tUp -and $_.Server -eq $NodeName }).Count
        ConnectionsWhileOut       = $connsOut2 - $connsOut1
        ServedByStoppedAfterUp    = @($reqs | Where-Object { $_.T -gt $tUp -and $_.Server -eq $NodeName }).Count
        ServedWhileOut            = @($reqs | Where-Object { $_.T -ge $tDown -and $_.End -lt $tUp } | ForEach-Object Server | Sort-Object -Unique)
        TableWhileOut             = $textWhileDown
        DownReason                = $down.Reason
        UpReason                  = $up.Reason
        Times                     = [pscustomobject]@{ Kill = $tKill; Down = $tDown; Start = $tStart; Up = $tUp }
    }
}

function Get-Distribution([double[]]$Values) {
    $s = @($Values | Sort-Object)
    $n = $s.Count
    $median = if ($n % 2) { $s[($n - 1) / 2] } else { ($s[$n / 2 - 1] + $s[$n / 2]) / 2 }
    [pscustomobject]@{
        Count  = $n
        Min    = $s[0]
        Median = [math]::Round($median, 3)
        P95    = $s[[math]::Max(0, [int][math]::Ceiling(0.95 * $n) - 1)] # nearest rank
        Max    = $s[-1]
    }
}

# ---------------------------------------------------------------------- run

if ($MyInvocation.InvocationName -eq '.') { return }
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$root = Split-Path -Parent $PSScriptRoot
if (-not (Get-Command New-LvsLab -ErrorAction SilentlyContinue)) { Import-Module (Join-Path $root 'LvsPS.psd1') -Force -Global }

$ownLab = -not $Lab
$testLab = $null
try {
    if ($ownLab) {
        Import-Module (Join-Path $root 'tests/pester/LvsPS.TestHelpers.psm1') -Force
        $testLab = New-LvsTestLab -NamePrefix hb -Network 10.239 -RealServerCount 2 -StartDirector -HideRealServers
        $Lab = $testLab.Name
        $vip = $testLab.VirtualAddress
        New-LvsService -Director $Lab -VirtualAddress $vip -Port 80 -Scheduler rr | Out-Null
        foreach ($n in 'rs1', 'rs2') { Add-LvsRealServer -Director $Lab -VirtualAddress $vip -Port 80 -RealAddress $testLab.RealServers[$n] -Forwarding Route -Weight 1 | Out-Null }
        Get-LvsRealServer -Director $Lab -Port 80 |
            Add-LvsHealthCheck -Type Http -Path /test.html -StatusCode 200 -IntervalSec $IntervalSec -TimeoutSec $TimeoutSec -Retry $Retry
    }
    $labInfo = Get-LvsLab -Name $Lab
    $vip = $labInfo.VirtualAddress
    $rsNode = $labInfo.RealServers | Where-Object Name -eq $Node
    if (-not $rsNode) { throw "Lab '$Lab' has no real server $Node." }
    $address = $rsNode.Address
    $dir = Join-Path $labInfo.Directory $Node
    $check = Get-LvsHealthCheck -Director $Lab -VirtualAddress $vip -Port 80 -RealAddress $address
    if (-not $check) { throw "$Node ($address) in $($vip):80 has no health check." }
    $checkInterval = if ($check[0].IntervalSec) { [double]$check[0].IntervalSec } else { $IntervalSec }
    $work = Join-Path $labInfo.Directory 'health-detect'
    New-Item -ItemType Directory -Force -Path $work | Out-Null
    # Both real servers must be Up before the first cycle.
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    while (@(Get-LvsHealth -Director $Lab -VirtualAddress $vip -Port 80 | Where-Object { "$($_.State)" -ne 'Up' -or -not $_.LastCheck }).Count) {
        if ([DateTime]::UtcNow -ge $deadline) { throw "The real servers of $($vip):80 are not all Up and checked: $(Get-LvsHealth -Director $Lab -Port 80 | Out-String)" }
        Start-Sleep -Milliseconds 100
    }

    $results = for ($i = 1; $i -le $Cycles; $i++) {
        Write-Progress -Activity "Health check cycles on lab '$Lab'" -Status "cycle $i of $Cycles" -PercentComplete (100 * ($i - 1) / $Cycles)
        Invoke-HealthCycle -LabName $Lab -Vip $vip -NodeName $Node -Address $address -Dir $dir -WorkDir $work -Index $i -IntervalMs $RequestIntervalMs -JitterMs ([int]($checkInterval * 1000))
    }
    Write-Progress -Activity "Health check cycles on lab '$Lab'" -Completed
    $results = @($results)
    $summary = [pscustomobject]@{
        PSTypeName             = 'LvsPS.HealthCycleSummary'
        Cycles                 = $results.Count
        Check                  = ($check | Select-Object -First 1 | Out-String).Trim()
        Detect                 = Get-Distribution $results.DetectSec
        Recover                = Get-Distribution $results.RecoverSec
        FailedPerFailure       = Get-Distribution ([double[]]$results.FailedRequests)
        FailedTotal            = ($results | Measure-Object -Sum FailedRequests).Sum
        RequestsTotal          = ($results | Measure-Object -Sum Requests).Sum
        FailedAfterDetection   = ($results | Measure-Object -Sum FailedAfterDetection).Sum
        ToStoppedAfterDetection = ($results | Measure-Object -Sum ToStoppedAfterDetection).Sum
        ConnectionsWhileOut    = ($results | Measure-Object -Sum ConnectionsWhileOut).Sum
    }
    if ($PassThru) { $results; $summary; return }
    $f = { param($d) '{0:0.000} / {1:0.000} / {2:0.000} / {3:0.000}' -f $d.Min, $d.Median, $d.P95, $d.Max }
    "cycles: $($summary.Cycles) on lab '$Lab' ($Node, request every $RequestIntervalMs ms)"
    "detection s   min/median/p95/max: $(& $f $summary.Detect)"
    "recovery s    min/median/p95/max: $(& $f $summary.Recover)"
    "failed requests per failure min/median/p95/max: $(& $f $summary.FailedPerFailure) (total $($summary.FailedTotal) of $($summary.RequestsTotal))"
    "after detection: $($summary.FailedAfterDetection) failed, $($summary.ToStoppedAfterDetection) to the stopped server, $($summary.ConnectionsWhileOut) connections counted on it"
    ''
    'cycle  detect s  recover s  requests  failed'
    foreach ($r in $results) {
        '{0,5}  {1,8:0.000}  {2,9:0.000}  {3,8}  {4,6}' -f $r.Cycle, $r.DetectSec, $r.RecoverSec, $r.Requests, $r.FailedRequests
        foreach ($x in $r.FailuresAfterDetection) { "       failed after the detection: $x" }
    }
} finally {
    if ($ownLab -and $testLab) { Remove-LvsTestLab -Name $testLab.Name }
}
