@{
    RootModule           = 'out/LvsPS/LvsPS.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '202355e8-cb36-4162-9b64-fa53ca194d72'
    Author               = 'The LvsPS authors'
    CompanyName          = 'LvsPS'
    Copyright            = '(c) 2026 The LvsPS authors. MIT License.'
    Description          = 'Build, inspect and verify Linux Virtual Server (LVS) clusters, above all in Direct Routing mode: a user-space IPVS director, SSH preparation of real servers, a namespace lab and cluster checks.'
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('module/LvsPS.Format.ps1xml')
    TypesToProcess       = @('module/LvsPS.Types.ps1xml')
    # Warns at import about what lvsd needs at run time and this machine lacks (.NET 10 runtime, libpcap).
    NestedModules        = @('module/LvsPS.Requirements.ps1')
    CmdletsToExport      = @(
        'Start-LvsDirector', 'Stop-LvsDirector', 'Get-LvsDirector', 'Connect-LvsDirector', 'Disconnect-LvsDirector',
        'New-LvsService', 'Get-LvsService', 'Set-LvsService', 'Remove-LvsService',
        'Add-LvsRealServer', 'Get-LvsRealServer', 'Set-LvsRealServer', 'Remove-LvsRealServer',
        'Suspend-LvsRealServer', 'Resume-LvsRealServer',
        'Add-LvsHealthCheck', 'Get-LvsHealthCheck', 'Set-LvsHealthCheck', 'Remove-LvsHealthCheck',
        'Set-LvsServiceHealth', 'Get-LvsHealth', 'Watch-LvsTraffic', 'Get-LvsDirectorLog', 'Set-LvsDirectorLog',
        'Get-LvsConnection', 'Import-LvsConfiguration',
        'Get-LvsTimeout', 'Set-LvsTimeout', 'Clear-LvsCounter',
        'Get-LvsDefense', 'Set-LvsDefense',
        'New-LvsFirewallMarkRule', 'Get-LvsFirewallMarkRule', 'Remove-LvsFirewallMarkRule', 'Export-LvsConfiguration',
        'Set-LvsRealServerHidden', 'Get-LvsRealServerHidden',
        'New-LvsLab', 'Get-LvsLab', 'Remove-LvsLab', 'Invoke-LvsLabCommand',
        'Test-LvsCluster', 'Test-LvsRealServer',
        'New-LvsVrrpInstance', 'Get-LvsVrrpInstance', 'Set-LvsVrrpInstance', 'Remove-LvsVrrpInstance',
        'Start-LvsSyncDaemon', 'Stop-LvsSyncDaemon', 'Get-LvsSyncDaemon',
        'Invoke-LvsClusterValidation', 'Watch-LvsService',
        'Invoke-LvsAdm', 'Sync-LvsConfiguration'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @('lvsadm')
    HelpInfoURI          = 'https://github.com/lvsps/LvsPS/tree/main/docs/reference'
    # ./build.sh package stages the module for a gallery from this manifest (tools/New-LvsPackage.ps1): the same
    # keys with RootModule bin/LvsPS.dll, and a FileList of what it ships.
    PrivateData          = @{
        PSData = @{
            Tags         = @('LVS', 'IPVS', 'ipvsadm', 'LoadBalancer', 'DirectRouting', 'Linux', 'PSEdition_Core')
            ProjectUri   = 'https://github.com/lvsps/LvsPS'
            LicenseUri   = 'https://github.com/lvsps/LvsPS/blob/main/LICENSE'
            ReleaseNotes = '0.1.0: the first release. A user-space IPVS director (lvsd) and kernel IPVS directors over SSH, real servers prepared over SSH, a lab of network namespaces, VRRP and connection sync, cluster checks and the Diagnostics suites. Needs Linux, the .NET 10 runtime and libpcap (Debian: libpcap0.8).'
        }
    }
}
