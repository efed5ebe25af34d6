#Requires -Version 7.4
<#
    Failover set-up over several directors: a kernel pair lab (two QEMU guests with Linux's IPVS, ipvsadm and
    keepalived), and the time of each set-up cmdlet over both directors from one pipeline with -ThrottleLimit 1 (one
    director after the other) and with the default (32, both at once), against the time on one director:
    Connect-LvsDirector, New-LvsVrrpInstance, Start-LvsSyncDaemon, and their undoing (Stop-LvsSyncDaemon,
    Remove-LvsVrrpInstance, each director disconnected). Every round starts from nothing set up, so each does the full
    work. The best of -Rounds is reported. The lab is removed at the end. Hold the lab lock:

        flock /tmp/lvsps-lab.lock dotnet pwsh -NoProfile -File bench/director-fleet.ps1 [-Rounds 3]
#>
param([int]$Rounds = 3, [string]$NamePrefix = 'bdf', [string]$Network = '10.199')
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../tests/pester/LvsPS.TestHelpers.psm1') -Force
Import-LvsTestModule
$t = New-LvsTestLab -NamePrefix $NamePrefix -Network $Network -RealServerCount 1 -DirectorCount 2 -DirectorKind Kernel
try {
    $lab = $t.Lab
    $vip = "$($t.VirtualAddress)"
    $rows = @(for ($i = 0; $i -lt 2; $i++) {
            [pscustomobject]@{
                Name = "$($t.Name)-b$($i + 1)"; ComputerName = "$($lab.Directors[$i].Address)"
                NetworkNamespace = $lab.ManagementNamespaceFor($lab.Directors[$i])
                Priority = 150 - 50 * $i; Role = @('Master', 'Backup')[$i]
            } })
    function Director($r) { [pscustomobject]@{ Director = $r.Name; Priority = $r.Priority; Role = $r.Role } }
    function Connect($set, $limit) { $set | Connect-LvsDirector -KeyFile $lab.KeyFile -KnownHostsFile $lab.KnownHostsFile -ThrottleLimit $limit | Out-Null }
    function SetUp($set, $limit) {
        $set | ForEach-Object { Director $_ } | New-LvsVrrpInstance -Name VI_bench -Interface eth0 -VirtualRouterId 74 -VirtualAddress $vip -Version 3 -AdvertInterval 0.25 -ThrottleLimit $limit | Out-Null
        $set | ForEach-Object { Director $_ } | Start-LvsSyncDaemon -Interface eth0 -SyncId 8 -ThrottleLimit $limit | Out-Null
    }
    function Undo($set) {
        foreach ($r in $set) {
            Stop-LvsSyncDaemon -Director $r.Name -Force | Out-Null
            Remove-LvsVrrpInstance -Director $r.Name -Name VI_bench -Force | Out-Null
        }
        Disconnect-LvsDirector -Name "$($t.Name)-b*"
    }
    $results = [ordered]@{}
    foreach ($case in @(@{ Label = '1 director'; Set = @($rows[0]); Limit = 32 },
            @{ Label = '2 directors, -ThrottleLimit 1'; Set = $rows; Limit = 1 },
            @{ Label = '2 directors, default (32)'; Set = $rows; Limit = 32 })) {
        $best = @{ Connect = [double]::MaxValue; SetUp = [double]::MaxValue }
        for ($i = 0; $i -lt $Rounds; $i++) {
            $sw = [Diagnostics.Stopwatch]::StartNew(); Connect $case.Set $case.Limit; $sw.Stop()
            $best.Connect = [math]::Min($best.Connect, $sw.Elapsed.TotalSeconds)
            $sw = [Diagnostics.Stopwatch]::StartNew(); SetUp $case.Set $case.Limit; $sw.Stop()
            $best.SetUp = [math]::Min($best.SetUp, $sw.Elapsed.TotalSeconds)
            Undo $case.Set
        }
        $results["Connect-LvsDirector, $($case.Label)"] = $best.Connect
        $results["New-LvsVrrpInstance + Start-LvsSyncDaemon, $($case.Label)"] = $best.SetUp
    }
    $results.GetEnumerator() | ForEach-Object { '{0,-70} {1,8:0.000} s' -f $_.Key, $_.Value }
} finally { Remove-LvsTestLab -Name $t.Name }
