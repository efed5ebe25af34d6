@{
    Synopsis    = 'Starts a connection sync daemon on a director (ipvsadm --start-daemon master|backup).'
    Description = @'
Start-LvsSyncDaemon starts IPVS connection synchronisation, as "ipvsadm --start-daemon master|backup --mcast-interface
IF --syncid N" does: a master daemon sends the director's connections and persistence templates (ip_vs_sync.c's
protocol version 1, UDP port 8848 to 224.0.0.81 by default), a backup daemon installs what a master of its sync id
sends, so established connections survive a failover. A director runs at most one daemon of each role; both roles
at once is usual in a pair, so either director can take over.

On lvsd a connection is sent when it is created and refreshed periodically; on a kernel director this runs ipvsadm
there. Every value is checked first (InvalidSyncDaemon or InvalidInterfaceName naming it, also under -WhatIf).

Several directors from one pipeline: each input record names its director (-Director by property name, as the
objects of Get-LvsRealServer, Get-LvsService and Get-LvsVrrpInstance carry it) and its own values. The changes are
made once the input is in, the directors at once (-ThrottleLimit), each director's changes in the order they came;
the output keeps the order the directors came in, progress names each director as it finishes, and a director that
does not answer is one error (naming it, as TargetObject) while the others go on. With -WhatIf, -Confirm or a
confirmation due, every record is done at once, one after another, as asked.
'@
    Parameters  = @{
        Role      = 'Master (sends) or Backup (receives).'
        Interface = 'The interface the messages go out on or arrive on (--mcast-interface).'
        SyncId    = 'The sync id (--syncid), 0..255; a backup with 0 takes any id. By default 0.'
        Group     = 'The multicast group (--mcast-group), 224.0.0.81 by default; a unicast address sends to (backup: binds) that host.'
        Port      = 'The UDP port (--mcast-port), 8848 by default.'
        Ttl       = 'The multicast TTL (--mcast-ttl), 1..255, 1 by default.'
        MaxLength = 'The largest message payload in bytes (--sync-maxlen); 0, the default, takes it from the interface''s MTU.'
        PassThru  = 'Returns the started daemon.'
        ThrottleLimit    = @{ Description = 'How many directors are changed at once when the input names several (1 to 1024). The default, 32, is Invoke-Command''s: a change is a few requests, over SSH for a kernel director, mostly waiting on the far side. 1 changes them one after another. Each director''s own changes always go in the order they came.'; DefaultValue = '32' }
        Director  = 'The director. By default: the only director running, or the one this session started last.'
        WhatIf    = 'Shows the daemon that would be started, without starting it.'
        Confirm   = 'Prompts for confirmation before starting it.'
    }
    Examples    = @(
        @{
            Lab     = 'Pair: a two-director lab named ha'
            Title   = 'Sync in both directions on a pair'
            Code    = @'
'ha-director1', 'ha-director2' | ForEach-Object {
    Start-LvsSyncDaemon -Director $_ -Role Master -Interface eth0 -SyncId 7
    Start-LvsSyncDaemon -Director $_ -Role Backup -Interface eth0 -SyncId 7
}
'@
            Remarks = 'Whichever director is VRRP master sends; the other keeps the table ready for a takeover.'
        }
    )
    Inputs      = @(
        @{ Type = 'LvsPS.Ipvs.Sync.SyncDaemonStatus'; Description = 'Daemons from Get-LvsSyncDaemon bind Role, Interface, SyncId, Group, Port, Ttl, MaxLength and Director by property name (to start the same daemon elsewhere, give -Director).' }
    )
    Outputs     = @(
        @{ Type = 'None'; Description = 'By default, nothing.' }
        @{ Type = 'LvsPS.Ipvs.Sync.SyncDaemonStatus'; Description = 'With -PassThru, the started daemon.' }
    )
    Notes       = 'Errors: InvalidSyncDaemon, InvalidInterfaceName, SyncDaemonExists, NotSupportedByDirector, DirectorNotRunning, DirectorAmbiguous.'
    RelatedLinks = @('Stop-LvsSyncDaemon', 'Get-LvsSyncDaemon', 'Get-LvsDirector', 'Test-LvsCluster', 'about_LvsPS')
}
