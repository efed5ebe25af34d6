#Requires -Version 7.4
<#
.SYNOPSIS
    Times kernel labs: New-LvsLab -DirectorKind Kernel (guest boot and whole creation), the first and a later
    table read over SSH, and Remove-LvsLab, a few times in a row. Needs root and qemu-system-x86.
.EXAMPLE
    sudo dotnet pwsh -File bench/kernel-lab-boot.ps1 -Count 5
#>
param([int]$Count = 5, [string]$Subnet = '10.239.0.0/24', [string]$Name = 'kboot')
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../LvsPS.psd1') -Force
$rows = foreach ($i in 1..$Count) {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $lab = New-LvsLab -Name $Name -RealServerCount 2 -Subnet $Subnet -DirectorKind Kernel
    $create = $sw.Elapsed.TotalSeconds
    try {
        $boot = [double]([regex]::Match($lab.KernelGuest, 'booted in ([0-9.]+)').Groups[1].Value)
        $sw.Restart(); $null = Get-LvsService -Director $Name; $next = $sw.Elapsed.TotalSeconds
    } finally {
        $sw.Restart(); Remove-LvsLab -Name $Name -Confirm:$false; $rm = $sw.Elapsed.TotalSeconds
    }
    [pscustomobject]@{ Run = $i; BootSec = $boot; CreateSec = [math]::Round($create, 1); ListSec = [math]::Round($next, 2); RemoveSec = [math]::Round($rm, 1) }
}
$rows | Format-Table -AutoSize
"guest: $($lab.KernelGuest)"
