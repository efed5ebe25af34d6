#Requires -Version 7.4
# The help's examples run (issue 12, "Help that is true"): every example of every cmdlet in docs/help/*.psd1 (the
# one source of the MAML help and docs/reference) that says Lab = $true or Lab = @{ Setup = ... } is run, as its
# code stands, against an engine lab, and must end without an error. The others say why they cannot run here
# (Kernel, Remote, Pair, NewLab, Host, Interactive, Slow, Pester: the generator refuses an example that says
# nothing) and are reported as skipped with that reason.
#
# The examples are written for the walkthrough's lab, so its names and addresses are put in for the lab's:
#     seed (a lab or director name)   -> this suite's lab (and its director, named after it)
#     10.250.0.N and 10.0.0.N        -> <lab subnet>.N   (.1 director, .3 .4 .5 rs1..rs3, .101 VIP, .200 client)
# Before each example the director's table is put back to the same start: TCP VIP:80 rr and TCP VIP:23 rr, each
# with rs1 and rs2 at weight 1, no firewall-mark rule, VRRP instance or sync daemon, debug level 0 (a stopped
# director is started again). The example then runs with its Setup first, in a folder of its own that holds the
# walkthrough's lvs_dr.conf and a cluster.hosts naming rs1..rs3, with $ConfirmPreference = 'None' (examples that
# remove things would otherwise ask) and $ErrorActionPreference = 'Stop'.

BeforeDiscovery {
    $root = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
    $script:RunCases = @()
    $script:SkipCases = @()
    foreach ($f in Get-ChildItem (Join-Path $root 'docs/help') -Filter '*.psd1' | Sort-Object Name) {
        $d = Import-PowerShellDataFile $f.FullName
        $i = 0
        foreach ($e in @($d.Examples)) {
            $i++
            $case = @{ Cmdlet = $f.BaseName; Index = $i; Title = $e.Title; Code = $e.Code; Setup = $null; Reason = $null }
            if ($e.Lab -is [hashtable]) { $case.Setup = $e.Lab.Setup; $script:RunCases += $case }
            elseif ($e.Lab -is [bool] -and $e.Lab) { $script:RunCases += $case }
            else { $case.Reason = [string]$e.Lab; $script:SkipCases += $case }
        }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1') -LabParameters @{ NamePrefix = 'hlp'; Network = '10.190'; RealServerCount = 3; StartDirector = $true; HideRealServers = $true }
    $script:Prefix = $Vip.ToString() -replace '\.101$', ''
    $script:Rs = $TestLab.RealServers
    $script:Work = Join-Path $TestDrive 'examples'
    $script:Traffic = [System.Collections.Generic.List[System.Diagnostics.Process]]::new()

    # The examples' names and addresses, made this lab's (the mapping above).
    function script:ConvertTo-LabExample([string]$Code) {
        if (-not $Code) { return $Code }
        $c = $Code -replace '\b10\.250\.0\.(?=\d)', "$Prefix." -replace '\b10\.0\.0\.(?=\d)', "$Prefix."
        $c -replace '\bseed\b', $LabName
    }

    # Setup of the Watch-LvsTraffic examples: 15 requests through the VIP in the background, so there are frames.
    function script:Start-LvsExampleTraffic { $script:Traffic.Add((Start-LvsTestCurlLoop -Lab $Lab -VirtualAddress $Vip)) }

    function script:Reset-LvsExampleLab {
        foreach ($p in $script:Traffic) { if (-not $p.HasExited) { $p.Kill() }; $p.Dispose() }
        $script:Traffic.Clear()
        try { $null = Get-LvsService -Director $LabName -ErrorAction Stop }
        catch { Start-LvsDirector -Lab $LabName | Out-Null }
        Get-LvsService -Director $LabName | Remove-LvsService -Confirm:$false
        Get-LvsFirewallMarkRule -Director $LabName | Remove-LvsFirewallMarkRule -Confirm:$false
        Get-LvsVrrpInstance -Director $LabName | Remove-LvsVrrpInstance -Force -Confirm:$false
        Get-LvsSyncDaemon -Director $LabName | Stop-LvsSyncDaemon -Force -Confirm:$false
        Set-LvsDirectorLog -Director $LabName -DebugLevel 0
        foreach ($port in 80, 23) {
            New-LvsService -Director $LabName -VirtualAddress $Vip -Port $port -Scheduler rr | Out-Null
            foreach ($n in 'rs1', 'rs2') { Add-LvsRealServer -Director $LabName -VirtualAddress $Vip -Port $port -RealAddress $Rs[$n] -Weight 1 }
        }
        if (Test-Path $Work) { Remove-Item -Recurse -Force $Work }
        New-Item -ItemType Directory -Path $Work | Out-Null
        New-LvsTestDrConf -Path (Join-Path $Work 'lvs_dr.conf') -VirtualAddress $Vip -DirectorAddress $Lab.Director.Address
        ($Rs.GetEnumerator() | Sort-Object Key | ForEach-Object { "$($_.Value) $($_.Key)" }) -join "`n" | Set-Content (Join-Path $Work 'cluster.hosts')
    }

    # Runs one example's code (after its setup) in the work folder; returns what it wrote, errors included.
    function script:Invoke-LvsExample([string]$Code, [string]$Setup) {
        Push-Location $Work
        try {
            $ConfirmPreference = 'None'
            $ErrorActionPreference = 'Stop'
            if ($Setup) { & ([scriptblock]::Create((ConvertTo-LabExample $Setup))) | Out-Null }
            @(& ([scriptblock]::Create((ConvertTo-LabExample $Code))) 2>&1)
        } finally { Pop-Location }
    }
}

AfterAll {
    foreach ($p in $script:Traffic) { if (-not $p.HasExited) { $p.Kill() }; $p.Dispose() }
    Remove-LvsTestLab -Name $script:LabName
}

Describe 'The mapping of the examples to the lab' {
    It 'puts the lab''s names and addresses in, and nothing else' {
        ConvertTo-LabExample 'Get-LvsRealServer 10.250.0.101 80 -Director seed; Invoke-LvsLabCommand seed client "curl http://10.0.0.101/"' |
            Should -Be "Get-LvsRealServer $Prefix.101 80 -Director $LabName; Invoke-LvsLabCommand $LabName client `"curl http://$Prefix.101/`""
        ConvertTo-LabExample 'Test-LvsCluster -Lab kseed; 110.250.0.1' | Should -Be 'Test-LvsCluster -Lab kseed; 110.250.0.1'
    }
    It 'really runs them: the walkthrough''s page comes back through the VIP, and a removal removes' {
        Reset-LvsExampleLab
        $page = Invoke-LvsExample -Code 'Invoke-LvsLabCommand -Lab seed -Node client -Command ''curl -s http://10.250.0.101/test.html'''
        ($page -join "`n") | Should -Match 'real server #\d'
        $null = Invoke-LvsExample -Code 'Remove-LvsService -VirtualAddress 10.250.0.101 -Port 23'
        @(Get-LvsService -Director $LabName).Port | Should -Be @(80)
        { Invoke-LvsExample -Code 'Remove-LvsService -VirtualAddress 10.250.0.101 -Port 23' } | Should -Throw -ErrorId 'ServiceNotFound*'
    }
}

Describe 'Example <Index> of <Cmdlet>: <Title>' -ForEach $RunCases {
    BeforeAll { Reset-LvsExampleLab }

    It 'runs in the lab without an error' {
        $out = Invoke-LvsExample -Code $Code -Setup $Setup
        $errors = @($out | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $errors | ForEach-Object { Write-Host "  $Cmdlet example ${Index}: $($_.FullyQualifiedErrorId): $_" }
        $errors | Should -BeNullOrEmpty -Because (ConvertTo-LabExample $Code)
    }
}

Describe 'Example <Index> of <Cmdlet>: <Title> (not run here: <Reason>)' -ForEach $SkipCases {
    It 'is left to the suite its reason names' -Skip {
        $Reason | Should -Match '^(Kernel|Remote|Pair|NewLab|Host|Interactive|Slow|Pester): '
    }
}

Describe 'Every example says whether it runs in a lab' {
    It 'runs most of them: <_> of the examples run here' -ForEach @($RunCases.Count) {
        $_ | Should -BeGreaterThan 80
    }
}
