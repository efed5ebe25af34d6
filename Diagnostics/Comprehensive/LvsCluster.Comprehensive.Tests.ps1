<#
.SYNOPSIS
    LvsPS operation validation (Comprehensive): every check, the traffic and ARP probes included.
    Found by the Operation Validation Framework (Get-OperationValidation -ModuleName LvsPS) and run by
    Invoke-LvsClusterValidation -Type Comprehensive.
.EXAMPLE
    $c = New-PesterContainer -Path (Join-Path (Get-Module LvsPS).ModuleBase 'Diagnostics/Comprehensive') -Data @{ Lab = 'seed' }
    Invoke-Pester -Container $c -Output Detailed
.EXAMPLE
    # A production director: name it and give SSH access to the real servers for the ARP-hiding check.
    $c = New-PesterContainer -Path .../Diagnostics/Comprehensive -Data @{ Director = 'prod'; KeyFile = '~/.ssh/id_ed25519' }
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

. (Join-Path $PSScriptRoot '../LvsCluster.Suite.ps1') -Type Comprehensive
