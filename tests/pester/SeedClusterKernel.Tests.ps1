#Requires -Version 7.4
# The seed walkthrough with a real Linux kernel IPVS director: examples/Seed-DrCluster.ps1 -DirectorKind Kernel
# (what ./build.sh demo kernel runs), run as a user would, its output checked: the kernel's own ipvsadm listing
# with the walkthrough's two services, ActiveConn 1 and 1 with the two telnet sessions open, test.html alternating
# between real server #2 and #1, Test-LvsCluster all passed, and nothing of the lab left behind.

BeforeAll {
    $ErrorActionPreference = 'Stop'
    Import-Module (Join-Path $PSScriptRoot 'LvsPS.TestHelpers.psm1') -Force
    Import-LvsTestModule
    if (-not [LvsPS.Management.Lab.LabManager]::HostHasIpvs() -and -not (Get-Command qemu-system-x86_64 -CommandType Application -ErrorAction SilentlyContinue)) {
        throw 'The kernel seed needs qemu-system-x86_64 (this host''s kernel has no ip_vs): install qemu-system-x86 (sudo ./build.sh setup with WITH_KERNEL_LAB=1, as ./build.sh test does).'
    }
    $script:LabName = 'kc' + -join ((97..122) | Get-Random -Count 4 | ForEach-Object { [char]$_ })
    $script:Net = "10.219.$(Get-Random -Minimum 10 -Maximum 240)"
    $script:Vip = "$Net.101"
    # The dotnet host this session runs on (dotnet pwsh), else the one on PATH.
    $dotnet = [Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    if ((Split-Path -Leaf $dotnet) -ne 'dotnet') { $dotnet = (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source }
    $example = Join-Path (Get-LvsTestRoot) 'examples/Seed-DrCluster.ps1'
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $env:NO_COLOR = '1'
    try {
        $script:Output = & $dotnet pwsh -NoLogo -NoProfile -NonInteractive -File $example -DirectorKind Kernel -Name $LabName -Subnet "$Net.0/24" 2>&1 | ForEach-Object { "$_" -replace "`e\[[0-9;]*m", '' }
        $script:ExitCode = $LASTEXITCODE
    } finally { Remove-Item Env:NO_COLOR }
    Write-Host "Seed-DrCluster.ps1 -DirectorKind Kernel: exit $ExitCode in $([int]$clock.Elapsed.TotalSeconds) s"
    $script:Text = $Output -join "`n"

    # The lines of the output section that a "=== <title>" line starts.
    function Get-Section([string]$Title) {
        $start = [array]::FindIndex([string[]]$Output, [Predicate[string]] { param($l) $l -eq "=== $Title" })
        if ($start -lt 0) { throw "The output has no section '=== $Title':`n$Text" }
        $lines = @(); for ($i = $start + 1; $i -lt $Output.Count -and $Output[$i] -notlike '=== *'; $i++) { $lines += $Output[$i].TrimEnd() }
        $lines
    }
    # A real-server line of ipvsadm -L -n for the real server .3 or .4 on a port: weight, ActiveConn, InActConn.
    function Get-Row([string[]]$Lines, [int]$Octet, [int]$Port) {
        $re = '^  -> ' + [regex]::Escape("$Net.$($Octet):$Port") + '\s+Route\s+(\d+)\s+(\d+)\s+(\d+)$'
        $m = $Lines | Select-String -Pattern $re
        if (-not $m) { throw "No line for $Net.$($Octet):$Port in:`n$($Lines -join "`n")" }
        , @($m.Matches[0].Groups[1..3] | ForEach-Object { [int]$_.Value })
    }
}

AfterAll {
    # The example removes its lab; should it have failed before, remove what remains.
    if ($script:LabName -and (Get-LvsLab -Name $script:LabName -ErrorAction SilentlyContinue)) { Remove-LvsLab -Name $script:LabName -Confirm:$false -ErrorAction SilentlyContinue }
}

Describe 'examples/Seed-DrCluster.ps1 -DirectorKind Kernel' {
    It 'runs to the end and exits 0' {
        $ExitCode | Should -Be 0 -Because $Text
        $Text | Should -Match "Kernel director: linux-image-\S+-cloud-amd64"
        $Text | Should -Match "inet $([regex]::Escape($Vip))/32 scope global eth0:101"
    }

    It 'shows the kernel''s own ipvsadm -L -n with the walkthrough''s two services' {
        $kernel = Get-Section "ipvsadm -L -n: the kernel's own ipvsadm, on the director"
        $kernel[0] | Should -Be 'IP Virtual Server version 1.2.1 (size=4096)'
        $kernel[1] | Should -Be 'Prot LocalAddress:Port Scheduler Flags'
        $kernel | Should -Contain "TCP  $($Vip):23 rr"
        $kernel | Should -Contain "TCP  $($Vip):80 rr"
        foreach ($h in 3, 4) { foreach ($p in 23, 80) { (Get-Row $kernel $h $p) | Should -Be @(1, 0, 0) } }
        # LvsPS's listing of the kernel's table says the same.
        $lvsps = Get-Section 'ipvsadm -L -n: as LvsPS lists it' | Where-Object { $_ }
        $lvsps | Should -Be ($kernel | Where-Object { $_ })
    }

    It 'counts the two telnet sessions as ActiveConn 1 and 1 in the kernel''s table' {
        $windows = Get-Section 'Two telnet sessions from the client (like the walkthrough''s two telnet windows)'
        ($windows -join "`n") | Should -Match 'window 1: \[guest@rs[12] guest\]\$'
        ($windows -join "`n") | Should -Match 'window 2: \[guest@rs[12] guest\]\$'
        $kernel = Get-Section "ipvsadm -L -n with the two sessions open: the kernel's own ipvsadm, on the director"
        (Get-Row $kernel 3 23)[1] | Should -Be 1
        (Get-Row $kernel 4 23)[1] | Should -Be 1
        (Get-Row $kernel 3 80)[1..2] | Should -Be @(0, 0)
    }

    It 'alternates test.html between real server #2 and #1, five each' {
        $pages = Get-Section "10 requests for http://$Vip/test.html" | Where-Object { $_ -match '^\s*\d+: ' } | ForEach-Object { ($_ -split ': ', 2)[1] }
        $pages.Count | Should -Be 10
        $pages | ForEach-Object { $_ | Should -Match '^我是real server #[12]$' }
        for ($i = 1; $i -lt 10; $i++) { $pages[$i] | Should -Not -Be $pages[$i - 1] }
        @($pages | Where-Object { $_ -like '*#1' }).Count | Should -Be 5
        # The kernel counted them: five closed connections (InActConn) on each real server.
        $after = Get-Section "ipvsadm -L -n after the requests: the kernel's own ipvsadm, on the director"
        (Get-Row $after 3 80)[2] | Should -Be 5
        (Get-Row $after 4 80)[2] | Should -Be 5
        $stats = (Get-Section "ipvsadm -L -n --stats: the kernel's own ipvsadm, on the director") -join "`n"
        $stats | Should -Match "TCP  $([regex]::Escape($Vip)):80\s+10\s"
    }

    It 'passes every check of Test-LvsCluster' {
        $checks = Get-Section 'Test-LvsCluster'
        ($checks -join "`n") | Should -Match '(?m)^Passed\s+DirectorHoldsVip\s+director' -Because ($checks -join "`n")
        $checks | Where-Object { $_ -like 'Failed*' } | Should -BeNullOrEmpty
        ($checks -join "`n") | Should -Match '(?m)^\d+ checks, 0 failed$'
    }

    It 'leaves nothing behind: no namespace and no QEMU process of the lab' {
        $Text | Should -Match ([regex]::Escape("=== Remove lab '$LabName'"))
        (& ip netns list) -join "`n" | Should -Not -Match "lvs-$LabName-"
        (& pgrep -f "lvsps-$LabName-director") | Should -BeNullOrEmpty
        Get-LvsLab -Name $LabName -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Test-Path "/var/lib/lvsps/labs/$LabName" | Should -BeFalse
    }
}
