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

    With -DirectorKind Kernel the director vs1 is a real Linux kernel with IPVS (a QEMU guest where this machine's
    kernel has no ip_vs), as in the walkthrough: the VIP is on its eth0 as eth0:101, lvs_dr.conf is applied to its
    kernel (ipvsadm over SSH), and each table is shown twice, as the kernel's own ipvsadm prints it and as LvsPS
    lists it.
.PARAMETER Name
    Lab name.
.PARAMETER Subnet
    Lab subnet; director .1, rs1 .3, rs2 .4, VIP .101, client .200 as in the walkthrough (192.168.0.x there).
.PARAMETER DirectorKind
    Engine (the default): the LvsPS director lvsd. Kernel: Linux kernel IPVS on the director, managed over SSH.
.PARAMETER Keep
    Leave the lab running at the end (remove it later with Remove-LvsLab).
.EXAMPLE
    sudo dotnet pwsh -File examples/Seed-DrCluster.ps1
.EXAMPLE
    sudo dotnet pwsh -File examples/Seed-DrCluster.ps1 -DirectorKind Kernel
#>
[CmdletBinding()]
param(
    [string]$Name = 'seed',
    [string]$Subnet = '10.250.0.0/24',
    [ValidateSet('Engine', 'Kernel')]
    [string]$DirectorKind = 'Engine',
    [switch]$Keep
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../LvsPS.psd1') -Force

function Step([string]$text) { Write-Host "`n=== $text" -ForegroundColor Cyan }
$kernel = $DirectorKind -eq 'Kernel'
# The table as the kernel's own ipvsadm prints it on the director (kernel labs), then as LvsPS lists it.
function Show-Table([string]$title, [string]$options = '') {
    if ($kernel) {
        Step "${title}: the kernel's own ipvsadm, on the director"
        Invoke-LvsLabCommand -Lab $Name -Node director -Command "ipvsadm -L -n $options".TrimEnd() | Out-Host
        Step "${title}: as LvsPS lists it"
    } else {
        Step $title
    }
}

if (Get-LvsLab -Name $Name -ErrorAction SilentlyContinue) { Remove-LvsLab -Name $Name -Confirm:$false }

if ($kernel) {
    Step "Lab '$Name': client and real servers rs1, rs2 in network namespaces, director vs1 a Linux kernel with IPVS"
    $lab = New-LvsLab -Name $Name -RealServerCount 2 -Subnet $Subnet -DirectorKind Kernel
    $lab.Nodes | Format-Table Name, Role, Address, MacAddress, Host | Out-Host
    Write-Host "Kernel director: $($lab.KernelGuest)"
} else {
    Step "Lab '$Name': client, director vs1 and real servers rs1, rs2 in network namespaces"
    $lab = New-LvsLab -Name $Name -RealServerCount 2 -Subnet $Subnet
    $lab.Nodes | Format-Table Name, Role, Address, MacAddress, Namespace | Out-Host
}
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

    if ($kernel) {
        Step 'The director: Linux kernel IPVS, the VIP on its eth0 as eth0:101 (its kernel answers ARP for it)'
        Invoke-LvsLabCommand -Lab $Name -Node director -Command 'uname -sr; ipvsadm --version; ip -o -4 addr show dev eth0' | Out-Host
        Get-LvsDirector -Name $Name | Format-Table Name, Kind, Running, ServiceCount, RealServerCount | Out-Host
    } else {
        Step 'Start the director (user-space IPVS; it owns the VIP and answers ARP for it)'
        Start-LvsDirector -Lab $Name | Format-Table Name, Running, ProcessId, Interface, MacAddress, NetworkNamespace | Out-Host
    }

    Step 'Import lvs_dr.conf into the director'
    Import-LvsConfiguration -Path $conf -Lab $Name | New-LvsService -Director $Name | Out-Null

    Step 'Prepare the real servers over SSH: VIP on lo/32, arp_ignore=1, arp_announce=2 (dummy0 is not in this kernel)'
    Set-LvsRealServerHidden -Lab $Name -PassThru | Out-Host

    Show-Table 'ipvsadm -L -n'
    Get-LvsService -Director $Name | Out-Host

    Step 'Two telnet sessions from the client (like the walkthrough''s two telnet windows)'
    # held open long enough for the tables to be read (over SSH from a kernel director)
    $hold = if ($kernel) { 12 } else { 8 }
    Invoke-LvsLabCommand -Lab $Name -Node client -Command "for i in 1 2; do setsid sh -c `"sleep $hold | socat - TCP:$($vip):23 > /tmp/lvsps-telnet-$Name-`$i.txt`" </dev/null >/dev/null 2>&1 & sleep 0.3; done; sleep 0.5; for i in 1 2; do printf 'telnet %s window %s: ' $vip `$i; cat /tmp/lvsps-telnet-$Name-`$i.txt; echo; done" | Out-Host
    if ($kernel) { Show-Table 'ipvsadm -L -n with the two sessions open' }
    Get-LvsService -Director $Name | Out-Host

    Step "10 requests for http://$vip/test.html"
    1..10 | ForEach-Object {
        $page = (Invoke-LvsLabCommand -Lab $Name -Node client -Command "curl -s -m 5 http://$vip/test.html") -join ''
        '{0,2}: {1}' -f $_, $page
    } | Out-Host

    Show-Table 'ipvsadm -L -n after the requests'
    Get-LvsService -Director $Name | Out-Host
    if ($kernel) { Start-Sleep -Seconds 2 }   # the kernel adds up its per-CPU counters every 2 s
    Show-Table 'ipvsadm -L -n --stats' '--stats'
    Get-LvsService -Director $Name -AsText -Stats | Out-Host
    Show-Table 'ipvsadm -L -n -c' '-c'
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
