#Requires -Version 7.4
# The director kernel's own copy of the VIPs' frames, with real packets: lvsd's capture and the director kernel's IP
# stack both receive every frame sent to the director's MAC, and the kernel (no VIP, ip_forward 0) routes each copy
# only to count it in Ip InAddrErrors and discard it. With Start-LvsDirector's default (-KernelCopy Drop) a tc ingress
# filter, which runs after the capture, drops them: lvsd forwards every request and the kernel sees none of them.
# With -KernelCopy Keep the kernel gets them all again, and nothing of tc is left behind.
# tests/LvsPS.Engine.Tests/KernelCopyFilterTests.cs covers the filter's life against tc (an admin's qdisc and
# filters, a killed lvsd's filter, a VIP the kernel holds); DirectorResolutionTests the -KernelCopy parameter.

BeforeAll {
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'LvsPS.TestHelpers.psm1') -Force
    Import-LvsTestModule
    $script:TestLab = New-LvsTestLab -NamePrefix pc -Network 10.229 -StartDirector -HideRealServers
    $script:LabName = $TestLab.Name; $script:Vip = $TestLab.VirtualAddress
    $script:Dev = $TestLab.Lab.Director.Interface
    New-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler rr | Out-Null
    foreach ($a in $TestLab.RealServers.Values) { Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $a | Out-Null }

    function script:Get-InAddrErrors {
        # Ip: InAddrErrors in the director's namespace (/proc/net/snmp: a header line, then the values)
        $ip = @(Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'cat /proc/net/snmp' | Where-Object { $_ -like 'Ip:*' })
        $names = -split $ip[0]; $values = -split $ip[1]
        [long]$values[[array]::IndexOf($names, 'InAddrErrors')]
    }
    function script:Measure-Requests([int]$Count) {
        $e0 = Get-InAddrErrors; $f0 = (Get-LvsDirector -Name $LabName).FramesForwarded
        $servers = Invoke-LvsTestRequest -Count $Count -AsServerName
        $f1 = (Get-LvsDirector -Name $LabName).FramesForwarded; $e1 = Get-InAddrErrors
        [pscustomobject]@{ Servers = $servers; Forwarded = $f1 - $f0; KernelCopies = $e1 - $e0 }
    }
    function script:Get-Ingress {
        $q = Invoke-LvsLabCommand -Lab $LabName -Node director -Command "tc qdisc show dev $Dev ingress"
        $f = Invoke-LvsLabCommand -Lab $LabName -Node director -Command "tc filter show dev $Dev ingress"
        [pscustomobject]@{ Qdisc = ($q -join "`n"); Filter = ($f -join "`n") }
    }
}

AfterAll { Remove-LvsTestLab -Name $script:LabName }

Describe 'The director kernel''s copy of VIP frames' {
    It 'is dropped by default: lvsd serves every request, the kernel routes none of the frames' {
        $d = Get-LvsDirector -Name $LabName
        $d.KernelCopy | Should -Be 'Drop'
        $d.KernelCopyNote | Should -BeNullOrEmpty
        $ingress = Get-Ingress
        $ingress.Qdisc | Should -Match 'qdisc ingress'
        $ingress.Filter | Should -Match 'pref 49152 bpf .*direct-action'
        $r = Measure-Requests 10
        ($r.Servers | Sort-Object -Unique) | Should -Be @('rs1', 'rs2')
        $r.Forwarded | Should -BeGreaterOrEqual 50   # 10 connections: SYN, ACK, request, FIN, ACK at least
        $r.KernelCopies | Should -Be 0
    }

    It 'reaches the kernel with -KernelCopy Keep, one copy for each frame lvsd forwards, and tc is left as it was' {
        Stop-LvsDirector -Name $LabName -Confirm:$false | Out-Null
        $ingress = Get-Ingress
        $ingress.Qdisc | Should -BeNullOrEmpty -Because 'lvsd removes the filter and the ingress qdisc it added when it stops'
        $ingress.Filter | Should -BeNullOrEmpty
        Start-LvsDirector -Lab $LabName -KernelCopy Keep | Out-Null
        $d = Get-LvsDirector -Name $LabName
        $d.KernelCopy | Should -Be 'Keep'
        $d.KernelCopyNote | Should -Be 'kept (--kernel-copy keep)'
        (Get-Ingress).Qdisc | Should -BeNullOrEmpty
        $r = Measure-Requests 10
        ($r.Servers | Sort-Object -Unique) | Should -Be @('rs1', 'rs2')
        $r.Forwarded | Should -BeGreaterOrEqual 50
        # every frame lvsd forwarded was a frame to the VIP the kernel also got (and ARP is not IP)
        $r.KernelCopies | Should -BeGreaterOrEqual $r.Forwarded
    }
}
