<#
.SYNOPSIS
    The body of the shipped Pester suites (Operation Validation Framework layout: Diagnostics/Simple and
    Diagnostics/Comprehensive under the folder of LvsPS.psd1): runs Test-LvsCluster against a live cluster and
    turns every result into a test. Dot-sourced by those suites, with their parameters in scope:
    Lab, Director, KeyFile, KnownHostsFile, ClientComputerName, Include, Exclude.
.PARAMETER Type
    Simple: the checks that send no traffic (those Test-LvsCluster -List marks SendsTraffic are excluded);
    Comprehensive: every check.
#>
param(
    [Parameter(Mandatory)][ValidateSet('Simple', 'Comprehensive')][string]$Type
)

BeforeDiscovery {
    if (-not (Get-Module LvsPS)) { Import-Module (Join-Path $PSScriptRoot '../LvsPS.psd1') }
    $arguments = @{}
    if ($Lab) { $arguments.Lab = $Lab }
    else {
        if ($Director) { $arguments.Director = $Director }
        if ($KeyFile) { $arguments.KeyFile = $KeyFile }
        if ($KnownHostsFile) { $arguments.KnownHostsFile = $KnownHostsFile }
        if ($ClientComputerName) { $arguments.ClientComputerName = $ClientComputerName }
    }
    if ($Include) { $arguments.Include = $Include }
    $skip = @($Exclude | Where-Object { $_ })
    if ($Type -eq 'Simple') { $skip += @(Test-LvsCluster -List | Where-Object SendsTraffic | ForEach-Object Check) }
    if ($skip) { $arguments.Exclude = $skip }
    $checks = @(Test-LvsCluster @arguments | ForEach-Object {
        @{ Check = $_.Check; Category = $_.Category; Target = $_.Target; Result = [string]$_.Result; Message = $_.Message; Remedy = $_.Remedy }
    })
    $subject = if ($Lab) { "lab $Lab" } elseif ($Director) { "director $Director" } else { 'the local director' }
}

Describe 'LVS cluster <_>' -ForEach @("$subject ($Type)") {
    It '<Category>: <Check> <Target>' -ForEach $checks {
        if ($Result -eq 'NotApplicable') { Set-ItResult -Skipped -Because $Message }
        $Result | Should -Not -Be 'Failed' -Because "$Message $Remedy"
    }
}
