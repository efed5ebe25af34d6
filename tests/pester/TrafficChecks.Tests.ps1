#Requires -Version 7.4
# Test-LvsCluster's traffic checks against a real lab (an engine director, two real servers running nginx and
# telnet): ServiceDistribution sends real HTTP requests from the lab's client (and from it over SSH as a
# -ClientComputerName), ServicePersistence repeated connections to a persistent service, RealServerThresholds reads
# the connection counts against -UpperThreshold while sessions are held open. Each is broken by exactly its own
# fault, fails naming the real server with a remedy, and passes after the fix. Bounded: at most 40 requests per run.

BeforeAll {
    . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1') -LabParameters @{ NamePrefix = 'chktr'; Network = '10.162'; StartDirector = $true; HideRealServers = $true }
    $script:D = $TestLab.Directors[0]
    $script:Rs1 = $TestLab.RealServers['rs1']
    $script:Rs2 = $TestLab.RealServers['rs2']

    function script:Get-Check([string]$Check, [hashtable]$More = @{}) { @(Test-LvsCluster -Lab $LabName -Include $Check @More) }
    function script:Set-Web([string]$Scheduler, [int]$W1, [int]$W2, [uint32]$Persistent = 0) {
        Get-LvsService -Director $D | Remove-LvsService -Confirm:$false
        New-LvsService -Director $D -VirtualAddress $Vip -Port 80 -Scheduler $Scheduler -Persistent $Persistent | Out-Null
        Add-LvsRealServer -Director $D -VirtualAddress $Vip -Port 80 -RealAddress $Rs1 -Weight $W1 | Out-Null
        Add-LvsRealServer -Director $D -VirtualAddress $Vip -Port 80 -RealAddress $Rs2 -Weight $W2 | Out-Null
    }
}

AfterAll { Remove-LvsTestLab -Name $script:LabName }

Describe 'ServiceDistribution' {
    It 'passes for rr 1/1 with half the requests on each real server, attributed by their pages' {
        Set-Web rr 1 1
        $r = Get-Check ServiceDistribution
        $r.Count | Should -Be 1
        $r[0].Result | Should -Be 'Passed'
        $r[0].Message | Should -Match "^40 requests from client \($([regex]::Escape("$($Lab.Client.Address)"))\) to $([regex]::Escape("$Vip")):80 spread as promised \(rs2 \(.*\): 20, rs1 \(.*\): 20, by the pages they served\): rr"
        $r[0].Distribution.Count | Should -Be 2
        $r[0].Distribution | ForEach-Object { $_.ExpectedShare | Should -Be 0.5; $_.Observed | Should -Be 20 }
    }

    It 'passes for wrr 1/3 with a quarter on rs1 and three quarters on rs2' {
        Set-Web wrr 1 3
        $r = Get-Check ServiceDistribution
        $r[0].Result | Should -Be 'Passed'
        $s1 = $r[0].Distribution | Where-Object RealServer -EQ "$($Rs1):80"
        $s2 = $r[0].Distribution | Where-Object RealServer -EQ "$($Rs2):80"
        $s1.ExpectedShare | Should -Be 0.25
        $s2.ExpectedShare | Should -Be 0.75
        $s1.Observed | Should -Be 10
        $s2.Observed | Should -Be 30
    }

    It 'fails naming rs1 with a remedy while rs1 lacks the VIP, and passes after the fix' {
        Set-Web rr 1 1
        Invoke-LvsLabCommand -Lab $LabName -Node rs1 -Command "ip addr del $Vip/32 dev lo" | Out-Null
        try {
            $r = Get-Check ServiceDistribution @{ RequestCount = 4 }
            $r[0].Result | Should -Be 'Failed'
            $r[0].Message | Should -Match "^Only 4 of 8 requests .* rs1 \($([regex]::Escape("$Rs1")):80\) did not answer its share"
            $r[0].Remedy | Should -Match 'ip addr show lo'
            ($r[0].Distribution | Where-Object RealServer -EQ "$($Rs1):80").Observed | Should -Be 0
        } finally {
            Invoke-LvsLabCommand -Lab $LabName -Node rs1 -Command "ip addr add $Vip/32 dev lo" | Out-Null
        }
        (Get-Check ServiceDistribution @{ RequestCount = 4 })[0].Result | Should -Be 'Passed'
    }

    It 'sends the requests from the client over SSH with -ClientComputerName, and fails there too when rs2 is broken' {
        Set-Web wrr 1 3
        $ssh = @{ Director = $D; ClientComputerName = "$($Lab.Client.Address)"; KeyFile = $Lab.KeyFile; KnownHostsFile = $Lab.KnownHostsFile; NetworkNamespace = $Lab.ManagementNamespace; Include = 'ServiceDistribution'; RequestCount = 4 }
        $r = @(Test-LvsCluster @ssh)
        $r[0].Result | Should -Be 'Passed'
        $r[0].Message | Should -Match "^8 requests from $([regex]::Escape("$($Lab.Client.Address)")) "
        Invoke-LvsLabCommand -Lab $LabName -Node rs2 -Command "ip addr del $Vip/32 dev lo" | Out-Null
        try {
            $r = @(Test-LvsCluster @ssh)
            $r[0].Result | Should -Be 'Failed'
            $r[0].Message | Should -Match "$([regex]::Escape("$Rs2")):80 did not answer its share"
        } finally {
            Invoke-LvsLabCommand -Lab $LabName -Node rs2 -Command "ip addr add $Vip/32 dev lo" | Out-Null
        }
        @(Test-LvsCluster @ssh)[0].Result | Should -Be 'Passed'
    }
}

Describe 'ServicePersistence' {
    It 'is not applicable to a service without persistence' {
        Set-Web rr 1 1
        (Get-Check ServicePersistence)[0].Result | Should -Be 'NotApplicable'
    }

    It 'passes for a persistent service: every connection on one real server' {
        Set-Web rr 1 1 -Persistent 60
        $r = Get-Check ServicePersistence
        $r[0].Result | Should -Be 'Passed'
        $r[0].Message | Should -Match '^6 connections 0.5 s apart from client .* all landed on rs[12] \('
    }

    It 'fails naming the service with a remedy when an edit dropped its persistence (-ExpectedPersistence), and passes after the fix' {
        $expect = @{ ExpectedPersistence = 60 }
        Set-Web rr 1 1 -Persistent 60
        (Get-Check ServicePersistence $expect)[0].Result | Should -Be 'Passed'
        # What "ipvsadm -E -t VIP:80 -s rr" (the edit without -p) does: the service loses its persistence.
        Set-LvsService -Director $D -VirtualAddress $Vip -Port 80 -Persistent 0
        (Get-Check ServicePersistence)[0].Result | Should -Be 'NotApplicable'
        $r = Get-Check ServicePersistence $expect
        $r[0].Result | Should -Be 'Failed'
        $r[0].Target | Should -Be "TCP $($Vip):80"
        $r[0].Message | Should -Match "^TCP $([regex]::Escape("$Vip")):80 is not persistent \(ipvsadm -p not set\), 60 s expected: 6 connections 0.5 s apart from client .* went to several real servers: rs[12] \(.*\): 3, rs[12] \(.*\): 3 \(by the pages they served\)\.$"
        $r[0].Remedy | Should -Match "^Set-LvsService -VirtualAddress $([regex]::Escape("$Vip")) -Port 80 -Persistent 60 \(ipvsadm -E -t $([regex]::Escape("$Vip")):80 -s rr -p 60;"
        Set-LvsService -Director $D -VirtualAddress $Vip -Port 80 -Persistent 5
        (Get-Check ServicePersistence $expect)[0].Message | Should -Match ' is persistent for only 5 s, 60 s expected: 6 connections .* went to rs[12] \('
        Set-LvsService -Director $D -VirtualAddress $Vip -Port 80 -Persistent 60
        (Get-Check ServicePersistence $expect)[0].Result | Should -Be 'Passed'
    }
}

Describe 'RealServerThresholds' {
    It 'is not applicable without thresholds; warns near the upper one and fails at it, naming rs1; passes after the fix' {
        Get-LvsService -Director $D | Remove-LvsService -Confirm:$false
        New-LvsService -Director $D -VirtualAddress $Vip -Port 23 -Scheduler rr | Out-Null
        Add-LvsRealServer -Director $D -VirtualAddress $Vip -Port 23 -RealAddress $Rs1 -Weight 1 | Out-Null
        (Get-Check RealServerThresholds)[0].Result | Should -Be 'NotApplicable'
        Set-LvsRealServer -Director $D -VirtualAddress $Vip -Port 23 -RealAddress $Rs1 -UpperThreshold 4
        1..3 | ForEach-Object { Open-LvsTestSession -Seconds 20 -Port 23 }
        $r = Get-Check RealServerThresholds
        $r[0].Result | Should -Be 'Warning'
        $r[0].Message | Should -Match "^rs1 \($([regex]::Escape("$Rs1")):23\) near its threshold: 3 connection\(s\) .*upper 4, lower 3"
        Open-LvsTestSession -Seconds 20 -Port 23
        $r = Get-Check RealServerThresholds
        $r[0].Result | Should -Be 'Failed'
        $r[0].Message | Should -Match "^rs1 \(.*\) overloaded: 4 connection\(s\)"
        $r[0].Remedy | Should -Match 'Set-LvsRealServer .*-UpperThreshold'
        Set-LvsRealServer -Director $D -VirtualAddress $Vip -Port 23 -RealAddress $Rs1 -UpperThreshold 100
        (Get-Check RealServerThresholds)[0].Result | Should -Be 'Passed'
    }
}
