#Requires -Version 7.4
# ARP spoofing of a real server (issue 8, item 6), end to end with real frames: in a lab (client, director, rs1 and
# rs2 with nginx, VIP:80 rr by direct routing) the client namespace sends, with socat on its own interface, the
# broadcast "rs1 is-at <client MAC>" before each of 20 requests through the VIP. The measurement is
# bench/arp-spoof.ps1 (dot-sourced here); run on its own it prints the figures of docs/RELIABILITY.md.

BeforeAll {
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'LvsPS.TestHelpers.psm1') -Force
    Import-LvsTestModule
    . (Join-Path (Get-LvsTestRoot) 'bench/arp-spoof.ps1')

    $script:TestLab = New-LvsTestLab -NamePrefix pa -Network 10.235 -RealServerCount 2 -StartDirector -HideRealServers
    $script:LabName = $TestLab.Name
    $script:Vip = $TestLab.VirtualAddress
    New-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler rr | Out-Null
    foreach ($n in 'rs1', 'rs2') { Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $TestLab.RealServers[$n] | Out-Null }
    $script:Node = @{}
    foreach ($n in $TestLab.Lab.Nodes) { $Node[$n.Name] = $n }

    $script:Phase = @{}
    foreach ($r in Invoke-ArpSpoofMeasurement -LabName $LabName -Count 20) { $Phase[$r.Phase] = $r }
    $script:Log = Get-Content -Raw (Get-LvsDirector -Name $LabName).LogPath
}

AfterAll {
    Remove-LvsTestLab -Name $script:LabName
}

Describe 'ARP spoofing of a real server' {
    It 'sends new connections to both real servers without an attack (the control case)' {
        $p = $Phase['no attack']
        ($p.Rs1, $p.Rs2, $p.NoAnswer, $p.ToAttacker) | Should -Be (10, 10, 0, 0)
        $p.Rs1Mac | Should -Be $Node['rs1'].MacAddress
    }

    It 'keeps every new connection on the real rs1 while forged ARP claims rs1 is at the attacker' {
        $p = $Phase['forged ARP before each request']
        $p.ToAttacker | Should -Be 0 -Because 'no SYN may reach the attacker'
        ($p.Rs1, $p.Rs2, $p.NoAnswer) | Should -Be (10, 10, 0) -Because 'nginx on rs1 answers its share'
        $p.Rs1Mac | Should -Be $Node['rs1'].MacAddress
        $p.Rs1MacSource | Should -Be 'Arp'
        $p.ArpUnsolicited | Should -BeGreaterOrEqual 20 -Because 'each forged frame is counted in DropsByReason'
    }

    It 'logs the ignored claim, naming rs1 and the attacker''s MAC' {
        $Log | Should -Match ([regex]::Escape("ignored an unsolicited claim that real server $($Node['rs1'].Address) is at $($Node['client'].MacAddress)"))
    }

    It 'sends to a static MAC, not to the MAC ARP found (rs1 pinned to rs2''s MAC is answered by rs2)' {
        $p = $Phase['static MAC of rs1 = rs2''s, attacked']
        ($p.Rs1, $p.Rs2, $p.NoAnswer, $p.ToAttacker) | Should -Be (0, 20, 0, 0)
        $p.Rs1Mac | Should -Be $Node['rs2'].MacAddress
        $p.Rs1MacSource | Should -Be 'Static'
    }

    It 'never replaces a static MAC, whatever ARP says' {
        $p = $Phase['static MAC of rs1 = its own, attacked']
        ($p.Rs1, $p.Rs2, $p.NoAnswer, $p.ToAttacker) | Should -Be (10, 10, 0, 0)
        $p.Rs1Mac | Should -Be $Node['rs1'].MacAddress
        $p.Rs1MacSource | Should -Be 'Static'
    }
}
