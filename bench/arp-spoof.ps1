#Requires -Version 7.4
<#
.SYNOPSIS
    ARP spoofing of a real server, with real forged frames: do new connections still reach the real rs1?
.DESCRIPTION
    In a lab (client, director, two real servers with nginx; VIP:80 rr over rs1 and rs2 by direct routing) the
    client namespace plays the attacker: before each request it sends, with socat on its own interface (PF_PACKET),
    the broadcast ARP reply "rs1 is-at <the client's MAC>" (sender rs1, target rs1, Ethernet destination
    ff:ff:ff:ff:ff:ff), then fetches test.html through the VIP (curl -m 1, a new TCP connection each time). A SYN
    the director sends to the attacker's MAC is received by the client's kernel, which does not forward and counts it
    in its Ip InAddrErrors (/proc/net/snmp of the client namespace): that count is the connections sent to the
    attacker. The pages name the real server that served them (nginx on rs1 or rs2).

    With a build that has -MacAddress the script then gives rs1 a static MAC: first rs2's MAC (so that rs1's share is
    answered by rs2: the static MAC is what the director uses, not ARP), then rs1's own, and repeats the attack.

    Without -Lab it builds its own lab (random name, 10.233.x.0/24) and removes it at the end.

    Reproduce (as root, from the checkout, after a Release build):

        flock /tmp/lvsps-lab.lock dotnet pwsh -NoLogo -NoProfile -File bench/arp-spoof.ps1 -Requests 40
.PARAMETER Requests
    Requests (each preceded by one forged frame) per phase, 1..500.
.PARAMETER Lab
    An existing lab whose VIP:80 service has rs1 and rs2 (rr, Route); without it the script builds and removes one.
.OUTPUTS
    One object per phase: Phase, Requests, Rs1, Rs2, NoAnswer, ToAttacker (SYNs the attacker received), Rs1Mac
    (what the director has for rs1 afterwards), Rs1MacSource, ArpUnsolicited (the director's count, when it has one).
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 500)][int]$Requests = 40,
    [string]$Lab
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../tests/pester/LvsPS.TestHelpers.psm1') -Force
Import-LvsTestModule

function Get-AttackerSyns([string]$LabName) {
    # The client's kernel counts a frame for an address it does not have (it does not forward) in Ip InAddrErrors.
    $lines = @(Invoke-LvsLabCommand -Lab $LabName -Node client -Command 'grep ^Ip: /proc/net/snmp')
    $names = $lines[0] -split '\s+'; $values = $lines[1] -split '\s+'
    [int64]$values[[array]::IndexOf($names, 'InAddrErrors')]
}

function New-ForgedArpFile([object]$LabInfo, [string]$Path) {
    # A broadcast ARP reply: "rs1 is-at <client MAC>" (sender rs1, target rs1), as the issue's attacker sent it.
    $mac = [byte[]]($LabInfo.Client.MacAddress -split ':' | ForEach-Object { [Convert]::ToByte($_, 16) })
    $rs1 = ($LabInfo.RealServers | Where-Object Name -eq 'rs1').Address.GetAddressBytes()
    $b = [byte[]]::new(42)
    for ($i = 0; $i -lt 6; $i++) { $b[$i] = 0xff; $b[6 + $i] = $mac[$i]; $b[22 + $i] = $mac[$i]; $b[32 + $i] = 0xff }
    $b[12] = 0x08; $b[13] = 0x06; $b[14] = 0; $b[15] = 1; $b[16] = 0x08; $b[17] = 0; $b[18] = 6; $b[19] = 4; $b[20] = 0; $b[21] = 2
    [Array]::Copy($rs1, 0, $b, 28, 4); [Array]::Copy($rs1, 0, $b, 38, 4)
    [IO.File]::WriteAllBytes($Path, $b)
}

function Invoke-SpoofPhase([string]$Phase, [string]$LabName, [object]$LabInfo, [string]$Frame, [int]$Count, [switch]$NoForgery) {
    $vip = $LabInfo.VirtualAddress
    $if = $LabInfo.Client.Interface
    $forge = if ($NoForgery) { ':' } else { "socat -u OPEN:$Frame INTERFACE:$if" }
    $before = Get-AttackerSyns $LabName
    $script = "for i in `$(seq 1 $Count); do $forge; r=`$(curl -s -m 1 http://$($vip):80/test.html | grep -o 'real server #[0-9]*'); echo `"`${r:-none}`"; done"
    $pages = @(Invoke-LvsLabCommand -Lab $LabName -Node client -Command $script)
    $after = Get-AttackerSyns $LabName
    $rs1 = Get-LvsRealServer -Director $LabName -VirtualAddress $vip -Port 80 | Where-Object { $_.RealAddress.ToString() -eq ($LabInfo.RealServers | Where-Object Name -eq 'rs1').Address.ToString() }
    $status = Get-LvsDirector -Name $LabName
    [pscustomobject]@{
        Phase          = $Phase
        Requests       = $Count
        Rs1            = @($pages | Where-Object { $_ -eq 'real server #1' }).Count
        Rs2            = @($pages | Where-Object { $_ -eq 'real server #2' }).Count
        NoAnswer       = @($pages | Where-Object { $_ -eq 'none' }).Count
        ToAttacker     = $after - $before
        Rs1Mac         = $rs1.MacAddress
        Rs1MacSource   = if ($rs1.PSObject.Properties['MacSource']) { "$($rs1.MacSource)" } else { '' }
        ArpUnsolicited = if ($status.PSObject.Properties['DropsByReason'] -and $status.DropsByReason.ContainsKey('ArpUnsolicited')) { $status.DropsByReason['ArpUnsolicited'] } else { 0 }
    }
}

function Wait-Resolved([string]$LabName, [object]$Vip, [double]$TimeoutSec = 10) {
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while (@(Get-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 | Where-Object MacAddress -eq '').Count -gt 0) {
        if ([DateTime]::UtcNow -ge $deadline) { throw 'The real servers were not resolved.' }
        Start-Sleep -Milliseconds 100
    }
}

function Invoke-ArpSpoofMeasurement([string]$LabName, [int]$Count) {
    $labInfo = Get-LvsLab -Name $LabName
    $vip = $labInfo.VirtualAddress
    $frame = Join-Path $labInfo.Directory 'forged-arp.bin'
    New-ForgedArpFile $labInfo $frame
    Wait-Resolved $LabName $vip
    $rs1 = ($labInfo.RealServers | Where-Object Name -eq 'rs1')
    $rs2 = ($labInfo.RealServers | Where-Object Name -eq 'rs2')
    Invoke-SpoofPhase 'no attack' $LabName $labInfo $frame $Count -NoForgery
    Invoke-SpoofPhase 'forged ARP before each request' $LabName $labInfo $frame $Count
    if ((Get-Command Add-LvsRealServer).Parameters.ContainsKey('MacAddress')) {
        # The static MAC is what is used: rs1 pinned to rs2's MAC sends rs1's share to rs2 (which holds the VIP too).
        Set-LvsRealServer -Director $LabName -VirtualAddress $vip -Port 80 -RealAddress $rs1.Address -MacAddress $rs2.MacAddress
        Invoke-SpoofPhase 'static MAC of rs1 = rs2''s, attacked' $LabName $labInfo $frame $Count
        Set-LvsRealServer -Director $LabName -VirtualAddress $vip -Port 80 -RealAddress $rs1.Address -MacAddress $rs1.MacAddress
        Invoke-SpoofPhase 'static MAC of rs1 = its own, attacked' $LabName $labInfo $frame $Count
        Set-LvsRealServer -Director $LabName -VirtualAddress $vip -Port 80 -RealAddress $rs1.Address -MacAddress ''
    }
}

if ($MyInvocation.InvocationName -ne '.') {
    $own = -not $Lab
    try {
        if ($own) {
            $t = New-LvsTestLab -NamePrefix ha -Network 10.233 -RealServerCount 2 -StartDirector -HideRealServers
            $Lab = $t.Name
            New-LvsService -Director $Lab -VirtualAddress $t.VirtualAddress -Port 80 -Scheduler rr | Out-Null
            foreach ($n in 'rs1', 'rs2') { Add-LvsRealServer -Director $Lab -VirtualAddress $t.VirtualAddress -Port 80 -RealAddress $t.RealServers[$n] | Out-Null }
        }
        Invoke-ArpSpoofMeasurement -LabName $Lab -Count $Requests | Format-Table -AutoSize | Out-String -Width 200
    } finally {
        if ($own) { Remove-LvsTestLab -Name $Lab }
    }
}
