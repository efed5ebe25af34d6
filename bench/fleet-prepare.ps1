#Requires -Version 7.4
<#
    Fleet preparation time: a lab with -RealServerCount real servers (each its own sshd and nginx), and the time of
    Set-LvsRealServerHidden on 1 host, on all hosts with -ThrottleLimit 1 (one after another) and with the default
    (32), and of Test-LvsCluster's real server SSH checks likewise. Each real server is reset (no VIP, ARP sysctls 0)
    before every preparation, so each run does the full work. The lab is removed at the end. Hold the lab lock:

        flock /tmp/lvsps-lab.lock dotnet pwsh -NoProfile -File bench/fleet-prepare.ps1 [-RealServerCount 32]
#>
param([int]$RealServerCount = 32, [int]$Rounds = 3, [string]$NamePrefix = 'pfl', [string]$Network = '10.198')
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../tests/pester/LvsPS.TestHelpers.psm1') -Force
Import-LvsTestModule
$t = New-LvsTestLab -NamePrefix $NamePrefix -Network $Network -RealServerCount $RealServerCount -StartDirector
try {
    $lab = $t.Name; $vip = $t.VirtualAddress
    New-LvsService -Director $lab -VirtualAddress $vip -Port 80 -Scheduler rr | Out-Null
    foreach ($n in $t.Lab.RealServers) { Add-LvsRealServer -Director $lab -VirtualAddress $vip -Port 80 -RealAddress $n.Address | Out-Null }
    function Reset { foreach ($n in $t.Lab.RealServers) { Invoke-LvsLabCommand -Lab $lab -Node $n.Name -Command "ip addr del $vip/32 dev lo 2>/dev/null; for i in all lo eth0; do sysctl -qw net.ipv4.conf.`$i.arp_ignore=0 net.ipv4.conf.`$i.arp_announce=0; done; true" | Out-Null } }
    function Best([scriptblock]$Run, [switch]$ResetFirst) {
        $best = [double]::MaxValue
        for ($i = 0; $i -lt $Rounds; $i++) {
            if ($ResetFirst) { Reset }
            $sw = [Diagnostics.Stopwatch]::StartNew(); & $Run | Out-Null; $sw.Stop()
            $best = [math]::Min($best, $sw.Elapsed.TotalSeconds)
        }
        $best
    }
    $checks = 'RealServerVip', 'RealServerHidden', 'RealServerRpFilter', 'RealServerListening'
    $r = [ordered]@{
        'Set-LvsRealServerHidden, 1 host'                     = Best -ResetFirst { Set-LvsRealServerHidden -Lab $lab -Node rs1 }
        "Set-LvsRealServerHidden, $RealServerCount hosts, -ThrottleLimit 1" = Best -ResetFirst { Set-LvsRealServerHidden -Lab $lab -ThrottleLimit 1 }
        "Set-LvsRealServerHidden, $RealServerCount hosts, default (32)"    = Best -ResetFirst { Set-LvsRealServerHidden -Lab $lab }
    }
    Set-LvsRealServerHidden -Lab $lab
    $r["Test-LvsCluster SSH checks, $RealServerCount hosts, -ThrottleLimit 1"] = Best { Test-LvsCluster -Lab $lab -Include $checks -ThrottleLimit 1 }
    $r["Test-LvsCluster SSH checks, $RealServerCount hosts, default (32)"] = Best { Test-LvsCluster -Lab $lab -Include $checks }
    $r.GetEnumerator() | ForEach-Object { '{0,-70} {1,8:0.000} s' -f $_.Key, $_.Value }
} finally { Remove-LvsTestLab -Name $t.Name }
