@{
    Synopsis    = 'Closes the SSH session of a kernel director connected with Connect-LvsDirector.'
    Description = @'
Disconnect-LvsDirector closes the SSH session of one or more kernel directors connected with Connect-LvsDirector
and forgets their names, so the LvsPS cmdlets no longer reach them. The director's kernel IPVS table stays exactly
as it is: its virtual services keep forwarding.

Wildcards select several connected directors; a name without wildcards that is not connected is an error.
'@
    Parameters  = @{
        Name = 'The names of the connected kernel directors to disconnect. Wildcards are allowed; names are case-sensitive.'
    }
    Examples    = @(
        @{
            Lab     = 'Kernel: a connected kernel director lvs1'
            Title   = 'Disconnect one director'
            Code    = 'Disconnect-LvsDirector -Name lvs1'
            Remarks = 'Closes the SSH session to the director connected as "lvs1"; its IPVS table is left as it is.'
        }
        @{
            Lab     = 'Kernel: connected kernel directors (KernelLab.Tests.ps1 disconnects them)'
            Title   = 'Disconnect every kernel director'
            Code    = 'Disconnect-LvsDirector -Name *'
            Remarks = 'Closes every SSH session opened with Connect-LvsDirector in this PowerShell process.'
        }
    )
    Inputs      = @(
        @{ Type = 'System.String[]'; Description = 'Director names, by the property name Name (or Director), for example the object Connect-LvsDirector returned.' }
    )
    Outputs     = @(
        @{ Type = 'None'; Description = 'Nothing.' }
    )
    Notes       = @'
The cmdlet changes only this PowerShell session, so it has no -WhatIf or -Confirm.

Errors: DirectorNotRunning when no kernel director of that name is connected.
'@
    RelatedLinks = @('Connect-LvsDirector', 'Get-LvsDirector', 'about_LvsPS')
}
