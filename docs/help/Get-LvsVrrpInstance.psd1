@{
    Synopsis    = 'Gets a director''s VRRP instances with their state, the master heard and counters.'
    Description = @'
Get-LvsVrrpInstance lists the VRRP instances a director runs: state (Init, Backup, Master, Fault), priority, the
master's address as last heard and its priority, the last transition, and counters of adverts sent, received and
dropped. The default view groups them by director. The configuration (Configuration) comes without the password.
'@
    Parameters  = @{
        Name     = 'Instance names; wildcards are allowed. A name without wildcards that matches nothing is a VrrpInstanceNotFound error.'
        State    = 'Only the instances in these states (Init, Backup, Master, Fault).'
        Director = 'The director. By default: the only director running, or the one this session started last. Binds by property name.'
    }
    Examples    = @(
        @{ Lab = 'Pair: a two-director lab named ha'; Title = 'Every instance of both directors of a pair'; Code = "'ha-director1', 'ha-director2' | ForEach-Object { Get-LvsVrrpInstance -Director `$_ }"; Remarks = 'One group per director: which one is Master, and the master each backup hears.' }
        @{ Lab = $true; Title = 'Is anything master?'; Code = 'Get-LvsVrrpInstance -State Master'; Remarks = 'Only the instances this director is master of.' }
    )
    Inputs      = @(
        @{ Type = 'None'; Description = 'Director binds by property name.' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Ipvs.Vrrp.VrrpInstanceStatus'; Description = 'One object per instance.' }
    )
    Notes       = 'Errors: VrrpInstanceNotFound, DirectorNotRunning, DirectorAmbiguous, DirectorProtocolError.'
    RelatedLinks = @('New-LvsVrrpInstance', 'Set-LvsVrrpInstance', 'Remove-LvsVrrpInstance', 'Get-LvsDirector', 'about_LvsPS')
}
