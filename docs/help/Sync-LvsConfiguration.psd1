@{
    Synopsis    = 'Brings a director to the desired state of a configuration file with the fewest changes.'
    Description = @'
Sync-LvsConfiguration reads an ipvsadm rules file, a keepalived.conf or an lvs_dr.conf with Import-LvsConfiguration,
compares its services with the director's table and plans the fewest changes that make the table match. It writes
the planned changes first (one object each: Action Add, Edit or Remove, the service, the real server, the old and
the new settings, and the ipvsadm command that makes it), then makes each one under ShouldProcess: with -WhatIf
nothing changes. A second Sync against the result plans nothing.

A service of the file that the director lacks is added with its real servers. A service on both whose scheduler,
flags or persistence differ is edited in place (ipvsadm -E), and a real server whose weight, forwarding or
thresholds differ is edited in place (ipvsadm -e): the service, its counters and the established connections stay.
Within a service the file names, the file's real servers are the whole list (extra ones are removed), as
keepalived's reload and Seesaw's ncc treat a configured service. A service the file does not name stays, as
ipvsadm -R leaves the table alone, unless -Prune is given or the rules file has a -C line (ipvsadm -R would clear
the table first): then it is removed. Health checks and VRRP settings of a keepalived.conf are not compared.
'@
    Parameters  = @{
        Force    = 'Makes the removals without asking (a removal is ConfirmImpact High and asks by default; an add or an edit is Medium). An explicit -Confirm still asks before each change, and -WhatIf still only shows.'
        Path     = 'The configuration file: ipvsadm rules (ipvsadm-save output), keepalived.conf or lvs_dr.conf.'
        Format   = @{ Description = 'The file''s format: Auto (told by its content), IpvsadmRules, Keepalived or LvsDrConf, as Import-LvsConfiguration -Format.'; DefaultValue = 'Auto' }
        Lab      = 'Resolve host names in the file to the addresses of this lab''s nodes.'
        Prune    = 'Also remove the services on the director that the file does not name.'
        Director = 'The director to change. By default: the only director running, or the one this session started last.'
        WhatIf   = 'Writes the planned changes and makes none of them.'
        Confirm  = 'Asks before each change.'
    }
    Examples    = @(
        @{
            Lab     = @{ Setup = 'Export-LvsConfiguration -Format IpvsadmRules -Path ./rules' }
            Title   = 'See what a rules file would change'
            Code    = 'Sync-LvsConfiguration ./rules -WhatIf'
            Remarks = 'The planned changes are listed; nothing changes.'
        }
        @{
            Lab     = 'Host: applies /etc/keepalived/keepalived.conf of this machine'
            Title   = 'Apply a keepalived.conf, removing what it lacks'
            Code    = 'Sync-LvsConfiguration /etc/keepalived/keepalived.conf -Prune -Force'
            Remarks = 'Weight and scheduler changes are edits in place, so established connections stay.'
        }
    )
    Inputs      = @(
        @{ Type = 'System.String'; Description = 'A path, or objects with a FullName or Path property (from Get-ChildItem).' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Management.Sync.LvsConfigChange'; Description = 'The planned changes, written before they are made.' }
    )
    Notes       = 'Errors: ConfigFileNotFound, ConfigParseError, HostNameNotResolved, ServiceExists, RealServerExists, DirectorNotRunning, DirectorAmbiguous.'
    RelatedLinks = @('Import-LvsConfiguration', 'Invoke-LvsAdm', 'Export-LvsConfiguration', 'about_LvsPS')
}
