<#
.SYNOPSIS
    Shipped Pester suite: runs Test-LvsCluster against a live cluster and turns every check into a test.
.EXAMPLE
    $c = New-PesterContainer -Path (Join-Path (Get-Module LvsPS).ModuleBase 'module/Diagnostics/LvsCluster.Tests.ps1') -Data @{ Lab = 'seed' }
    Invoke-Pester -Container $c -Output Detailed
.EXAMPLE
    # A production director: name it and give SSH access to the real servers for the ARP-hiding check.
    $c = New-PesterContainer -Path .../LvsCluster.Tests.ps1 -Data @{ Director = 'prod'; KeyFile = '~/.ssh/id_ed25519' }
#>
param(
    [string]$Lab,
    [string]$Director,
    [string]$KeyFile,
    [string]$KnownHostsFile,
    [string[]]$Exclude
)

BeforeDiscovery {
    if (-not (Get-Module LvsPS)) { Import-Module (Join-Path $PSScriptRoot '../../LvsPS.psd1') }
    $arguments = @{}
    if ($Lab) { $arguments.Lab = $Lab }
    else {
        if ($Director) { $arguments.Director = $Director }
        if ($KeyFile) { $arguments.KeyFile = $KeyFile }
        if ($KnownHostsFile) { $arguments.KnownHostsFile = $KnownHostsFile }
    }
    if ($Exclude) { $arguments.Exclude = $Exclude }
    $checks = @(Test-LvsCluster @arguments | ForEach-Object {
        @{ Check = $_.Check; Category = $_.Category; Target = $_.Target; Result = [string]$_.Result; Message = $_.Message; Remedy = $_.Remedy }
    })
}

Describe 'LVS cluster <_>' -ForEach @($(if ($Lab) { "lab $Lab" } else { "director $Director" })) {
    It '<Category>: <Check> <Target>' -ForEach $checks {
        if ($Result -eq 'NotApplicable') { Set-ItResult -Skipped -Because $Message }
        $Result | Should -Not -Be 'Failed' -Because "$Message $Remedy"
    }
}
