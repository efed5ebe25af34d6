#Requires -Version 7.4
<#
    The start of a suite's BeforeAll, dot-sourced so that it runs in the suite's own scope:

        . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1')

    stops at the first error ($ErrorActionPreference = 'Stop'), imports the test helpers (LvsPS.TestHelpers.psm1,
    afresh) and the module under test (Import-LvsTestModule). Given -LabParameters (a hashtable of New-LvsTestLab's
    parameters), it also builds the suite's lab and sets $script:TestLab (what New-LvsTestLab returned),
    $script:LabName, $script:Lab (the lab object) and $script:Vip; the suite removes the lab in its AfterAll:

        . (Join-Path $PSScriptRoot 'LvsPS.TestSuite.ps1') -LabParameters @{ NamePrefix = 'pn'; Network = '10.245' }
        ...
        AfterAll { Remove-LvsTestLab -Name $script:LabName }
#>
param([hashtable]$LabParameters)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'LvsPS.TestHelpers.psm1') -Force
Import-LvsTestModule
if ($LabParameters) {
    $script:TestLab = New-LvsTestLab @LabParameters
    $script:LabName = $TestLab.Name; $script:Lab = $TestLab.Lab; $script:Vip = $TestLab.VirtualAddress
}
