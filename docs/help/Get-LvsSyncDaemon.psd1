@{
    Synopsis    = 'Gets the connection sync daemons a director runs (ipvsadm -L --daemon), with counters and lag.'
    Description = @'
Get-LvsSyncDaemon lists the sync daemons of a director: role, interface, sync id, group and port, and where the
director keeps them (lvsd) the messages and connections sent and received, the messages dropped, the last message
and the lag: on a master the age of the oldest change not yet sent, on a backup the time since the last message. A
kernel director reports what ipvsadm -L --daemon shows; its counters are not exported (Lag is empty).
'@
    Parameters  = @{
        Role     = 'Only the daemons of these roles (Master, Backup).'
        Director = 'The director. By default: the only director running, or the one this session started last. Binds by property name.'
    }
    Examples    = @(
        @{ Lab = 'Pair: a two-director lab named ha'; Title = 'The daemons and their lag'; Code = 'Get-LvsSyncDaemon -Director ha-director1'; Remarks = 'Role, Iface, SyncId, Group, Sent, Received, Lag and the last message.' }
    )
    Inputs      = @(
        @{ Type = 'None'; Description = 'Director binds by property name.' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Ipvs.Sync.SyncDaemonStatus'; Description = 'One object per daemon.' }
    )
    Notes       = 'Errors: DirectorNotRunning, DirectorAmbiguous, DirectorProtocolError.'
    RelatedLinks = @('Start-LvsSyncDaemon', 'Stop-LvsSyncDaemon', 'Get-LvsDirector', 'Test-LvsCluster', 'about_LvsPS')
}
