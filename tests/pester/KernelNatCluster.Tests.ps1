#Requires -Version 7.4
# Test-LvsCluster against a kernel NAT lab (New-LvsLab -DirectorKind Kernel -Forwarding Masq): kernel IPVS NAT sends
# the real servers' replies through the director's forwarding path, so there ip_forward must be 1 (for DR it
# should be 0). Healthy: passes; ip_forward turned off: fails naming the director with the fix; passes again after.

BeforeAll {
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'LvsPS.TestHelpers.psm1') -Force
    Import-LvsTestModule
    # Without ip_vs on this host and without qemu-system-x86_64, New-LvsLab fails here saying so (LabSetupFailed).
    $script:TestLab = New-LvsTestLab -NamePrefix kc -Network 10.217 -Forwarding Masq -DirectorKind Kernel
    $script:LabName = $TestLab.Name; $script:Lab = $TestLab.Lab; $script:Vip = $TestLab.VirtualAddress
    New-LvsService -Director $LabName -VirtualAddress $Vip -Port 80 -Scheduler rr | Out-Null
    foreach ($rs in $Lab.RealServers) { Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port 80 -RealAddress $rs.Address -Forwarding Masq | Out-Null }
}

AfterAll { Remove-LvsTestLab -Name $script:LabName }

Describe 'Test-LvsCluster on a kernel NAT lab' {
    It 'passes with ip_forward 1, which kernel IPVS NAT needs' {
        $results = @(Test-LvsCluster -Lab $LabName)
        $results | Where-Object Result -eq 'Failed' | ForEach-Object { "$($_.Check) $($_.Target): $($_.Message)" } | Should -BeNullOrEmpty
        $forward = $results | Where-Object Check -eq 'DirectorIpForwardOff'
        $forward.Result | Should -Be 'Passed'
        $forward.Message | Should -Match 'ip_forward = 1'
        ($results | Where-Object Check -eq 'ServiceDistribution').Result | Should -Be 'Passed'
        ($results | Where-Object Check -eq 'RealServerHidden' | ForEach-Object Result | Select-Object -Unique) | Should -Be 'NotApplicable'
    }

    It 'names the director when its ip_forward is 0, and passes again once it is 1' {
        Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'echo 0 > /proc/sys/net/ipv4/ip_forward' | Out-Null
        try {
            # Result, target, message and remedy in one line: the director named, and the fix.
            Test-LvsCluster -Lab $LabName -Include DirectorIpForwardOff | ForEach-Object { "$($_.Result) $($_.Target): $($_.Message) | $($_.Remedy)" } |
                Should -Match "^Failed director: net\.ipv4\.ip_forward = 0 on director \([0-9.]+\); .* \| Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'sysctl -w net\.ipv4\.ip_forward=1'$"
            # and the replies do not come back: connections through the VIP fail
            (Test-LvsCluster -Lab $LabName -Include ServiceDistribution).Result | Should -Be 'Failed'
        } finally {
            Invoke-LvsLabCommand -Lab $LabName -Node director -Command 'echo 1 > /proc/sys/net/ipv4/ip_forward' | Out-Null
        }
        (Test-LvsCluster -Lab $LabName -Include DirectorIpForwardOff, ServiceDistribution | ForEach-Object Result | Select-Object -Unique) | Should -Be 'Passed'
    }
}
