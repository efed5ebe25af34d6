#Requires -Version 7.4
<#
.SYNOPSIS
    Restart continuity of lvsd: established telnet and HTTP keep-alive sessions through the VIP across SIGKILL +
    Start-LvsDirector, N times; how many go on and how long until they answer again.
.DESCRIPTION
    Builds a lab with two real servers, starts the director, creates VIP:23 (sh) and VIP:80 (rr) over both and
    hides the VIP on the real servers. Opens one telnet-like session to VIP:23 and one keep-alive HTTP connection to
    VIP:80 from the client's namespace, then -Rounds times: SIGKILL lvsd, Start-LvsDirector, send one line on each
    session and wait (at most 10 s) for its answer. Prints one object per round and a summary (sessions continued /
    total, start time, time to resume from the kill and from Start-LvsDirector's return). Removes the lab.
    Dot-sourced (tests/pester/Restart.Tests.ps1), it only defines the session helpers.
.EXAMPLE
    sudo dotnet pwsh -File bench/restart-continuity.ps1 -Rounds 10
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 50)][int]$Rounds = 10,
    [string]$Name = 'restart',
    [string]$Subnet = '10.238.0.0/24'
)

function New-RestartContext([string]$LabName, [System.Net.IPAddress]$Vip, [string]$Dir) {
    New-Item -ItemType Directory -Force -Path $Dir | Out-Null
    # One session: a TCP connection on fd 3; a reader appends what comes back to NAME.out (its exit status to NAME.rc,
    # its error to NAME.err); a writer sends each line written to the FIFO NAME.in (printf %b: \r\n are escapes).
    Set-Content -Path (Join-Path $Dir 'session.sh') -Value @'
#!/bin/bash
name=$1; vip=$2; port=$3; dir=$4
echo $$ > "$dir/$name.pid"
exec 3<>"/dev/tcp/$vip/$port" || { echo 99 > "$dir/$name.rc"; exit 1; }
( cat <&3 >> "$dir/$name.out" 2> "$dir/$name.err"; echo $? > "$dir/$name.rc" ) &
echo $! > "$dir/$name.reader.pid"
# The FIFO held open read-write: no EOF between two writers (a reader reopening it could meet the last one's close).
exec 4<>"$dir/$name.in"
while IFS= read -r line <&4; do
    printf '%b' "$line" >&3 || break
done
'@
    [pscustomobject]@{ LabName = $LabName; Vip = $Vip; Dir = $Dir; Snapshots = 0 }
}

function Initialize-RestartServices($TestLab, [string]$Telnet, [string]$Http, [string]$Folder) {
    # A suite's services (tests/pester: Restart, MaglevTakeover): VIP:23 and VIP:80 with the schedulers given, over
    # every real server of the test lab; returns the session context in the lab's folder.
    $name = $TestLab.Name; $vip = $TestLab.VirtualAddress
    foreach ($svc in @{ Port = 23; Scheduler = $Telnet }, @{ Port = 80; Scheduler = $Http }) {
        New-LvsService -Director $name -VirtualAddress $vip @svc | Out-Null
        foreach ($a in $TestLab.RealServers.Values) { Add-LvsRealServer -Director $name -VirtualAddress $vip -Port $svc.Port -RealAddress $a | Out-Null }
    }
    New-RestartContext -LabName $name -Vip $vip -Dir (Join-Path $TestLab.Lab.Directory $Folder)
}

function Open-RestartSession($Ctx, [string]$Name, [int]$Port) {
    $d = $Ctx.Dir
    foreach ($f in "$Name.out", "$Name.err", "$Name.rc", "$Name.in") { Remove-Item -Force -ErrorAction SilentlyContinue (Join-Path $d $f) }
    Invoke-LvsLabCommand -Lab $Ctx.LabName -Node client -Command "mkfifo '$d/$Name.in'; setsid bash '$d/session.sh' '$Name' '$($Ctx.Vip)' $Port '$d' </dev/null >/dev/null 2>&1 & sleep 0.3" | Out-Null
    [pscustomobject]@{ Name = $Name; Port = $Port; Out = (Join-Path $d "$Name.out"); Rc = (Join-Path $d "$Name.rc"); Err = (Join-Path $d "$Name.err") }
}

function Send-RestartLine($Ctx, $Session, [string]$Text) {
    # The FIFO's reader is the session's writer loop; the text has no single quote.
    Invoke-LvsLabCommand -Lab $Ctx.LabName -Node client -TimeoutSec 10 -Command "printf '%s\n' '$Text' > '$($Ctx.Dir)/$($Session.Name).in'" | Out-Null
}

function Get-RestartHttpRequest { 'GET /test.html HTTP/1.1\r\nHost: lab\r\n\r\n' }

function Get-RestartOutputCount($Session, [string]$Pattern) {
    if (-not (Test-Path $Session.Out)) { return 0 }
    ([regex]::Matches((Get-Content -Raw $Session.Out) ?? '', [regex]::Escape($Pattern))).Count
}

function Wait-RestartOutput($Ctx, $Session, [string]$Pattern, [int]$Count = 1, [double]$TimeoutSec = 10) {
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while ((Get-RestartOutputCount $Session $Pattern) -lt $Count) {
        if ([DateTime]::UtcNow -ge $deadline -or (Test-Path $Session.Rc)) { return $false }
        Start-Sleep -Milliseconds 20
    }
    $true
}

function Wait-RestartReset($Ctx, $Session, [double]$TimeoutSec = 10) {
    # The reader ends with "Connection reset by peer" when a RST arrives; a silent drop would leave it waiting.
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while (-not (Test-Path $Session.Rc)) {
        if ([DateTime]::UtcNow -ge $deadline) { return $false }
        Start-Sleep -Milliseconds 20
    }
    (Get-Content -Raw $Session.Err) -match 'reset'
}

function Test-RestartSessionAlive($Ctx, $Session) { -not (Test-Path $Session.Rc) }

function Get-RestartTelnetServer($Ctx, $Session) {
    ([regex]::Matches((Get-Content -Raw $Session.Out), 'guest@(rs\d+)') | ForEach-Object { $_.Groups[1].Value } | Select-Object -Unique) -join ','
}

function Get-RestartSnapshotPath($Ctx) { (Get-LvsDirector -Name $Ctx.LabName).StatePath -replace '\.json$', '.conns' }

function Save-RestartSnapshot($Ctx) {
    $copy = Join-Path $Ctx.Dir ("snapshot-{0}.conns" -f ++$Ctx.Snapshots)
    Copy-Item (Get-RestartSnapshotPath $Ctx) $copy
    $copy
}

function Restart-LvsdHard($Ctx, [string]$Snapshot) {
    # SIGKILL: no clean stop, no last snapshot; then, optionally, an older snapshot put back in place.
    $d = Get-LvsDirector -Name $Ctx.LabName
    $conns = $d.StatePath -replace '\.json$', '.conns'
    $killed = [DateTime]::UtcNow
    & kill -KILL $d.ProcessId
    while (Test-Path "/proc/$($d.ProcessId)") { Start-Sleep -Milliseconds 10 }
    if ($Snapshot) { Copy-Item $Snapshot $conns -Force }
    $t0 = [DateTime]::UtcNow
    Start-LvsDirector -Lab $Ctx.LabName | Out-Null
    $t1 = [DateTime]::UtcNow
    [pscustomobject]@{
        KilledAt = $killed; StartedAt = $t1; StartSec = [math]::Round(($t1 - $t0).TotalSeconds, 2)
        Restored = (Get-LvsDirector -Name $Ctx.LabName).ConnectionsRestored
    }
}

function Open-RestartSessionPair($Ctx, [string]$Prefix = '') {
    # A telnet session to VIP:23 and a keep-alive HTTP connection to VIP:80 (named <Prefix>telnet, <Prefix>http), each
    # answered once; the telnet prompt's real server.
    $telnet = Open-RestartSession $Ctx -Name "${Prefix}telnet" -Port 23
    $http = Open-RestartSession $Ctx -Name "${Prefix}http" -Port 80
    Send-RestartLine $Ctx $telnet 'before\r\n'
    Send-RestartLine $Ctx $http (Get-RestartHttpRequest)
    $opened = (Wait-RestartOutput $Ctx $telnet 'before') -and (Wait-RestartOutput $Ctx $http 'real server #')
    [pscustomobject]@{ Telnet = $telnet; Http = $http; Opened = $opened; Server = (Get-RestartTelnetServer $Ctx $telnet) }
}

function Complete-RestartSuite($Ctx) {
    # A suite's end: with LVSPS_DEBUG_RESTART=1 the sessions' files, lvsd's log and the client's sockets (a failure's
    # cause); then the session processes stop.
    if (-not $Ctx) { return }
    if ($env:LVSPS_DEBUG_RESTART) {
        Get-ChildItem $Ctx.Dir | ForEach-Object { Write-Host "$($_.Name): $(if ($_.Length -lt 2000 -and $_.Extension -ne '.in') { Get-Content -Raw $_.FullName })" }
        Get-Content (Get-LvsDirector -Name $Ctx.LabName).LogPath | Select-Object -Last 30 | Write-Host
        Invoke-LvsLabCommand -Lab $Ctx.LabName -Node client -Command 'ss -tn' | Write-Host
    }
    Stop-RestartSessions $Ctx
}

function Stop-RestartSessions($Ctx) {
    # Only the session processes this context started, by their pid files.
    foreach ($f in Get-ChildItem -Path $Ctx.Dir -Filter '*.pid' -ErrorAction SilentlyContinue) {
        $p = (Get-Content $f.FullName -Raw).Trim()
        if ($p -match '^\d+$' -and (Test-Path "/proc/$p")) { & kill $p 2>$null }
    }
}

if ($MyInvocation.InvocationName -eq '.') { return }

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../LvsPS.psd1') -Force
. (Join-Path $PSScriptRoot 'BenchLab.ps1')
$lab = New-BenchLab -Name $Name -Subnet $Subnet -Service '23/sh', '80/rr'
try {
    $vip = $lab.VirtualAddress
    $ctx = New-RestartContext -LabName $Name -Vip $vip -Dir (Join-Path $lab.Directory 'restart-bench')
    $telnet = Open-RestartSession $ctx -Name telnet -Port 23
    $http = Open-RestartSession $ctx -Name http -Port 80
    Send-RestartLine $ctx $telnet 'start\r\n'
    Send-RestartLine $ctx $http (Get-RestartHttpRequest)
    if (-not (Wait-RestartOutput $ctx $telnet 'start') -or -not (Wait-RestartOutput $ctx $http 'real server #')) { throw 'the sessions did not open' }
    Start-Sleep -Milliseconds 1500

    $rows = foreach ($round in 1..$Rounds) {
        $r = Restart-LvsdHard $ctx
        $httpBefore = Get-RestartOutputCount $http 'real server #'
        Send-RestartLine $ctx $telnet "round$round\r\n"
        Send-RestartLine $ctx $http (Get-RestartHttpRequest)
        $tOk = Wait-RestartOutput $ctx $telnet "round$round"
        $tAt = [DateTime]::UtcNow
        $hOk = Wait-RestartOutput $ctx $http 'real server #' -Count ($httpBefore + 1)
        $hAt = [DateTime]::UtcNow
        [pscustomobject]@{
            Round = $round; Restored = $r.Restored; StartSec = $r.StartSec
            Telnet = $tOk; Http = $hOk
            TelnetResumeSec = [math]::Round(($tAt - $r.StartedAt).TotalSeconds, 3)
            HttpResumeSec = [math]::Round(($hAt - $r.StartedAt).TotalSeconds, 3)
            KillToAnswerSec = [math]::Round(([math]::Max($tAt.Ticks, $hAt.Ticks) - $r.KilledAt.Ticks) / 1e7, 2)
        }
        Start-Sleep -Milliseconds 1500   # the next kill finds a snapshot of this run
    }
    $rows | Format-Table | Out-Host
    $ok = @($rows | ForEach-Object { [int]$_.Telnet + [int]$_.Http }) | Measure-Object -Sum
    $status = Get-LvsDirector -Name $Name
    [pscustomobject]@{
        Rounds              = $Rounds
        SessionsContinued   = "$($ok.Sum) / $(2 * $Rounds)"
        StartSecMedian      = ($rows.StartSec | Sort-Object)[[int][math]::Floor($Rounds / 2)]
        TelnetResumeSecMax  = ($rows.TelnetResumeSec | Measure-Object -Maximum).Maximum
        HttpResumeSecMax    = ($rows.HttpResumeSec | Measure-Object -Maximum).Maximum
        KillToAnswerSecMedian = ($rows.KillToAnswerSec | Sort-Object)[[int][math]::Floor($Rounds / 2)]
        ResetsSent          = $status.ResetsSent
        TelnetServer        = Get-RestartTelnetServer $ctx $telnet
    }
    Stop-RestartSessions $ctx
}
finally {
    Remove-LvsLab -Name $Name -Confirm:$false
}
