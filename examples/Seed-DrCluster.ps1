#Requires -Version 7.4
<#
.SYNOPSIS
    Replays the original LVS-DR walkthrough (vs1, rs1, rs2; telnet and www balanced rr) in a lab on this machine.
.DESCRIPTION
    Builds a lab of network namespaces (client, director vs1, real servers rs1 and rs2 running nginx, sshd and a
    telnet-like service), imports the walkthrough's lvs_dr.conf with the lab's addresses, starts the LvsPS
    director, prepares the real servers over SSH (VIP on lo, ARP hidden), shows the ipvsadm-style table, opens two
    telnet-like sessions (ActiveConn 1 and 1, as the walkthrough's two telnet windows), fetches test.html ten times
    through the VIP (real server #2 / #1 alternating), shows the table again with the counts, runs
    Test-LvsCluster, and removes the lab.
.PARAMETER Name
    Lab name.
.PARAMETER Subnet
    Lab subnet; director .1, rs1 .3, rs2 .4, VIP .101, client .200 as in the walkthrough (192.168.0.x there).
.PARAMETER Keep
    Leave the lab running at the end (remove it later with Remove-LvsLab).
.EXAMPLE
    sudo dotnet pwsh -File examples/Seed-DrCluster.ps1
#>
[CmdletBinding()]
param(
    [string]$Name = 'seed',
    [string]$Subnet = '10.250.0.0/24',
    [switch]$Keep
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../LvsPS.psd1') -Force

function Step([string]$text) { Write-Host "`n=== $text" -ForegroundColor Cyan }

if (Get-LvsLab -Name $Name -ErrorAction SilentlyContinue) { Remove-LvsLab -Name $Name -Confirm:$false }

Step "Lab '$Name': client, director vs1 and real servers rs1, rs2 in network namespaces"
$lab = New-LvsLab -Name $Name -RealServerCount 2 -Subnet $Subnet
$lab.Nodes | Format-Table Name, Role, Address, MacAddress, Namespace | Out-Host
$vip = $lab.VirtualAddress
$net = $Subnet.Split('/')[0]
try {
    Step 'lvs_dr.conf (the walkthrough''s file, with the lab''s addresses)'
    $conf = Join-Path $lab.Directory 'lvs_dr.conf'
    @"
#lvs_dr.conf (C) Joseph Mack mack@ncifcrf.gov
LVS_TYPE=VS_DR
INITIAL_STATE=on
VIP=eth0:101 $vip 255.255.255.0 $net
DIRECTOR_INSIDEIP=eth0 $($lab.Director.Address) $net 255.255.255.0 $($vip.ToString() -replace '\.\d+$', '.255')
SERVICE=t telnet rr rs1:telnet rs2:telnet
SERVICE=t www rr rs1:www rs2:www
SERVER_VIP_DEVICE=dummy0
SERVER_NET_DEVICE=eth0
#----------end lvs_dr.conf------------------------------------
"@ | Set-Content -Path $conf -Encoding utf8
    Get-Content $conf | Out-Host

    Step 'Start the director (user-space IPVS; it owns the VIP and answers ARP for it)'
    Start-LvsDirector -Lab $Name | Format-Table Name, Running, ProcessId, Interface, MacAddress, NetworkNamespace | Out-Host

    Step 'Import lvs_dr.conf into the director'
    Import-LvsConfiguration -Path $conf -Lab $Name | New-LvsService -Director $Name | Out-Null

    Step 'Prepare the real servers over SSH: VIP on lo/32, arp_ignore=1, arp_announce=2 (dummy0 is not in this kernel)'
    Set-LvsRealServerHidden -Lab $Name -PassThru | Out-Host

    Step 'ipvsadm -L -n'
    Get-LvsService -Director $Name | Out-Host

    Step 'Two telnet sessions from the client (like the walkthrough''s two telnet windows)'
    Invoke-LvsLabCommand -Lab $Name -Node client -Command "for i in 1 2; do setsid sh -c `"sleep 8 | socat - TCP:$($vip):23 > /tmp/lvsps-telnet-$Name-`$i.txt`" </dev/null >/dev/null 2>&1 & sleep 0.3; done; sleep 0.5; for i in 1 2; do printf 'telnet %s window %s: ' $vip `$i; cat /tmp/lvsps-telnet-$Name-`$i.txt; echo; done" | Out-Host
    Get-LvsService -Director $Name | Out-Host

    Step "10 requests for http://$vip/test.html"
    1..10 | ForEach-Object {
        $page = (Invoke-LvsLabCommand -Lab $Name -Node client -Command "curl -s -m 5 http://$vip/test.html") -join ''
        '{0,2}: {1}' -f $_, $page
    } | Out-Host

    Step 'ipvsadm -L -n after the requests'
    Get-LvsService -Director $Name | Out-Host
    Step 'ipvsadm -L -n --stats'
    Get-LvsService -Director $Name -AsText -Stats | Out-Host
    Step 'ipvsadm -L -n -c'
    Get-LvsConnection -Director $Name -AsText | Out-Host

    Step 'Test-LvsCluster'
    $results = Test-LvsCluster -Lab $Name
    $results | ForEach-Object { '{0,-7} {1,-22} {2,-26} {3}' -f $_.Result, $_.Check, $_.Target, $_.Message } | Out-Host
    $failed = @($results | Where-Object Result -eq 'Failed').Count
    Write-Host ("{0} checks, {1} failed" -f $results.Count, $failed)
}
finally {
    Invoke-LvsLabCommand -Lab $Name -Node client -Command "rm -f /tmp/lvsps-telnet-$Name-*.txt" -ErrorAction SilentlyContinue | Out-Null
    if (-not $Keep) {
        Step "Remove lab '$Name'"
        Remove-LvsLab -Name $Name -Confirm:$false
        Write-Host 'Removed every namespace, process and file of the lab.'
    }
}
if ($failed) { exit 1 }
