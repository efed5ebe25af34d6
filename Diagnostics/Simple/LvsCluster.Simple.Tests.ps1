<#
.SYNOPSIS
    LvsPS operation validation (Simple): the quick checks: every check that sends no traffic through the VIP (no probes, no ARP requests).
    Found by the Operation Validation Framework (Get-OperationValidation -ModuleName LvsPS) and run by
    Invoke-LvsClusterValidation -Type Simple.
.EXAMPLE
    $c = New-PesterContainer -Path (Join-Path (Get-Module LvsPS).ModuleBase 'Diagnostics/Simple') -Data @{ Lab = 'seed' }
    Invoke-Pester -Container $c -Output Detailed
.EXAMPLE
    # A production director: name it and give SSH access to the real servers for the ARP-hiding check.
    $c = New-PesterContainer -Path .../Diagnostics/Simple -Data @{ Director = 'prod'; KeyFile = '~/.ssh/id_ed25519' }
#>
param(
    [string]$Lab,
    [string]$Director,
    [string]$KeyFile,
    [string]$KnownHostsFile,
    [string]$ClientComputerName,
    [string[]]$Include,
    [string[]]$Exclude
)

. (Join-Path $PSScriptRoot '../LvsCluster.Suite.ps1') -Type Simple
