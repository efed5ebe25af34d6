#Requires -Version 7.4
<#
.SYNOPSIS
    Measures a director's life with real lvsd processes: how long Start-LvsDirector takes to refuse a bad state file
    and an lvsd that exits at start, how a hung (SIGSTOP) director is refused and stopped, and whether 40 concurrent
    changes through the real control socket are each answered, saved and kept over a restart.
.DESCRIPTION
    Everything runs in a temporary folder of its own (LVSPS_RUN_DIR, LVSPS_STATE_DIR) and, for the directors that
    must come up, in a network namespace of its own (lvsbl-<random>, a veth pair inside it); both are removed at the
    end, and only the lvsd processes this script started are signalled.

        refuse    Start-LvsDirector on each bad state file (-Variants, one start each, on an interface that does not
                  exist: a refused file stops lvsd before any interface is opened): the time to the StateFileInvalid
                  error, with -TimeoutSec 120.
        early     Start-LvsDirector with a good state file on an interface that does not exist: the time to lvsd's
                  own InterfaceNotAvailable error.
        hung      a director started, SIGSTOPped, Start-LvsDirector again (the time to DirectorAlreadyRunning), then
                  Stop-LvsDirector (the time until it is gone, by SIGKILL).
        adds      -Runs times: a fresh director, 40 threads released together each adding one service through the
                  control socket (a client of its own each), then: answered = adds that got a success, saved =
                  services in the state file, restarted = services after Stop-LvsDirector and Start-LvsDirector.

    Reproduce the figures of docs/RELIABILITY.md (as root, from the checkout, after a Release build):

        flock /tmp/lvsps-lab.lock dotnet pwsh -NoLogo -NoProfile -File bench/director-lifecycle.ps1 -Runs 11
.PARAMETER Runs
    How many runs of the 40 concurrent adds (1..100).
.PARAMETER Adds
    Concurrent adds per run (1..200).
.OUTPUTS
    Text: one line per measurement and a summary.
.EXAMPLE
    flock /tmp/lvsps-lab.lock dotnet pwsh -NoLogo -NoProfile -File bench/director-lifecycle.ps1 -Runs 11
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 100)][int]$Runs = 11,
    [ValidateRange(1, 200)][int]$Adds = 40
)
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
Import-Module (Join-Path $root 'LvsPS.psd1') -Force
$out = Join-Path $root 'out'
Add-Type -ReferencedAssemblies (Join-Path $out 'LvsPS/LvsPS.Ipvs.dll'), (Join-Path $out 'LvsPS/LvsPS.Management.dll'), 'System.Runtime', 'System.Net.Primitives', 'System.Threading', 'System.Threading.Thread', 'System.Collections', 'System.Linq' -TypeDefinition @'
using System;
using System.Linq;
using System.Net;
using System.Threading;
public static class LvsBenchConcurrentAdds
{
    /// <summary>n threads released together, each adding TCP vip:(1000+i) with its own client; returns the successes.</summary>
    public static int Run(string director, string vip, int n)
    {
        int ok = 0;
        using var go = new ManualResetEventSlim();
        var threads = Enumerable.Range(0, n).Select(i => new Thread(() =>
        {
            go.Wait();
            try
            {
                LvsPS.Management.Lvsd.DirectorClient.Connect(director, TimeSpan.FromSeconds(60)).AddService(new LvsPS.Ipvs.Specs.ServiceSpec
                {
                    Address = IPAddress.Parse(vip), Port = (ushort)(1000 + i),
                    RealServers = { new LvsPS.Ipvs.Specs.RealServerSpec { Address = IPAddress.Parse("10.251.0.3") } },
                });
                Interlocked.Increment(ref ok);
            }
            catch (LvsPS.Ipvs.Model.LvsException) { }
        })).ToList();
        threads.ForEach(t => t.Start());
        go.Set();
        threads.ForEach(t => t.Join());
        return ok;
    }
}
'@

$id = -join ((1..6) | ForEach-Object { '{0:x}' -f (Get-Random -Maximum 16) })
$work = Join-Path ([IO.Path]::GetTempPath()) "lvsps-bench-lifecycle-$id"
$ns = "lvsbl-$id"
$env:LVSPS_RUN_DIR = Join-Path $work 'run'
$env:LVSPS_STATE_DIR = Join-Path $work 'state'
New-Item -ItemType Directory -Force $env:LVSPS_RUN_DIR, $env:LVSPS_STATE_DIR | Out-Null
$started = [System.Collections.Generic.List[string]]::new()

function Time([scriptblock]$Block) {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $r = & $Block
    $sw.Stop()
    [pscustomobject]@{ Seconds = $sw.Elapsed.TotalSeconds; Result = $r }
}
function StartError([string]$Name, [string]$Interface, [string]$Namespace) {
    try {
        if ($Namespace) { Start-LvsDirector -Name $Name -Interface $Interface -NetworkNamespace $Namespace -TimeoutSec 120 | Out-Null }
        else { Start-LvsDirector -Name $Name -Interface $Interface -TimeoutSec 120 | Out-Null }
        'started'
    } catch { ($_.FullyQualifiedErrorId -split ',')[0] }
}
$good = '{"version":1,"services":[{"protocol":"Tcp","address":"10.251.0.101","port":80,"scheduler":"Wlc","realServers":[{"address":"10.251.0.3","weight":2}]}],"markRules":[]}'
$variants = [ordered]@{
    'empty file'          = ''
    'truncated JSON'      = $good.Substring(0, [int]($good.Length / 2))
    'garbage'             = "`u{00ff}`u{00fe}garbage"
    'an array'            = '[]'
    'wrong type (port)'   = $good.Replace('"port":80', '"port":"eighty"')
    'not an address'      = $good.Replace('"10.251.0.101"', '"not-an-ip"')
    'no version'          = $good.Replace('"version":1,', '')
    'future version'      = $good.Replace('"version":1', '"version":99')
    'duplicate property'  = $good.Replace('"version":1', '"version":1,"version":1')
    'unknown property'    = $good.Replace('"markRules"', '"markRulez"')
    'null'                = 'null'
    'scheduler 77'        = $good.Replace('"scheduler":"Wlc"', '"scheduler":77')
    'port-0 service'      = $good.Replace('"port":80', '"port":0')
}
try {
    ip netns add $ns
    ip -n $ns link add lvsbl0 type veth peer name lvsbl1
    ip -n $ns addr add 10.251.0.1/24 dev lvsbl0
    ip -n $ns link set lvsbl0 up
    ip -n $ns link set lvsbl1 up

    "refuse: Start-LvsDirector on a bad state file (-TimeoutSec 120)"
    $refuse = [System.Collections.Generic.List[double]]::new()
    foreach ($v in $variants.GetEnumerator()) {
        $name = 'bad' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $path = Join-Path $env:LVSPS_STATE_DIR "$name.json"
        [IO.File]::WriteAllBytes($path, [Text.Encoding]::Latin1.GetBytes($v.Value))
        $before = [IO.File]::ReadAllBytes($path)
        $t = Time { StartError $name 'lvsnone0' }
        $same = [Linq.Enumerable]::SequenceEqual([byte[]]$before, [byte[]][IO.File]::ReadAllBytes($path))
        '  {0,-20} {1,-18} {2,6:0.00} s  file unchanged: {3}' -f $v.Key, $t.Result, $t.Seconds, $same
        $refuse.Add($t.Seconds)
    }
    $s = $refuse | Measure-Object -Minimum -Maximum -Average
    '  {0} files: min {1:0.00} s, mean {2:0.00} s, max {3:0.00} s' -f $s.Count, $s.Minimum, $s.Average, $s.Maximum

    $name = 'early' + $id
    Set-Content -Path (Join-Path $env:LVSPS_STATE_DIR "$name.json") -Value $good -NoNewline
    $t = Time { StartError $name 'lvsnone0' $ns }
    'early: lvsd exits at start (no such interface): {0} after {1:0.00} s' -f $t.Result, $t.Seconds

    $name = 'hung' + $id
    $started.Add($name)
    $st = Start-LvsDirector -Name $name -Interface lvsbl0 -NetworkNamespace $ns -TimeoutSec 120
    kill -STOP $st.ProcessId
    $t = Time { StartError $name 'lvsbl0' $ns }
    'hung: Start-LvsDirector of a SIGSTOPped director: {0} after {1:0.00} s' -f $t.Result, $t.Seconds
    $t = Time { Stop-LvsDirector -Name $name -Confirm:$false -WarningAction SilentlyContinue; Test-Path "/proc/$($st.ProcessId)" }
    'hung: Stop-LvsDirector: gone after {0:0.00} s (still in /proc: {1})' -f $t.Seconds, $t.Result

    "adds: $Adds concurrent adds through the control socket"
    $clean = 0
    foreach ($run in 1..$Runs) {
        $name = 'adds' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $started.Add($name)
        Start-LvsDirector -Name $name -Interface lvsbl0 -NetworkNamespace $ns -TimeoutSec 120 | Out-Null
        $t = Time { [LvsBenchConcurrentAdds]::Run($name, '10.251.0.101', $Adds) }
        $saved = @((Get-Content -Raw (Join-Path $env:LVSPS_STATE_DIR "$name.json") | ConvertFrom-Json).services).Count
        Stop-LvsDirector -Name $name -Confirm:$false
        $restarted = (Start-LvsDirector -Name $name -Interface lvsbl0 -NetworkNamespace $ns -TimeoutSec 120).ServiceCount
        Stop-LvsDirector -Name $name -Confirm:$false
        if ($t.Result -eq $Adds -and $saved -eq $Adds -and $restarted -eq $Adds) { $clean++ }
        '  run {0,2}: answered {1}/{4}, saved {2}/{4}, after restart {3}/{4} ({5:0.00} s for the adds)' -f $run, $t.Result, $saved, $restarted, $Adds, $t.Seconds
    }
    "adds: $clean of $Runs runs had every add answered, saved and kept over a restart"
}
finally {
    foreach ($n in $started) {
        $pidFile = Join-Path $env:LVSPS_RUN_DIR "$n.pid"
        if (Test-Path $pidFile) {
            $p = [int](Get-Content $pidFile)
            if ((Test-Path "/proc/$p/cmdline") -and ((Get-Content -Raw "/proc/$p/cmdline") -match "`0$n`0")) { kill -CONT $p; kill -KILL $p }
        }
    }
    ip netns del $ns 2>$null
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}
