@{
    Synopsis    = 'Stops a director''s connection sync daemon (ipvsadm --stop-daemon).'
    Description = @'
Stop-LvsSyncDaemon stops the sync daemon of one role, or without -Role every daemon the director runs. The
connections already synchronised stay in the table; after it a failover loses what changed since. The impact is
High: PowerShell asks before each daemon unless -Force or -Confirm:$false is given.

Several directors from one pipeline: each input record names its director (-Director by property name, as the
objects of Get-LvsRealServer, Get-LvsSyncDaemon and Get-LvsVrrpInstance carry it). With -Force (or no confirmation
due) the changes are made once the input is in, the directors at once (-ThrottleLimit), each director's in the
order they came; the output keeps the order the directors came in, progress names each director as it finishes,
and a director that does not answer is one error (naming it, as TargetObject) while the others go on. Without
-Force, with -WhatIf or -Confirm, every record is done at once, one after another, asking as it goes.
'@
    Parameters  = @{
        Role     = 'Master or Backup; by default every running daemon. Objects from Get-LvsSyncDaemon bind it (and Director) by property name.'
        Force    = 'Stops without asking. An explicit -Confirm still asks, and -WhatIf still only shows.'
        PassThru = 'Returns each daemon''s last status.'
        ThrottleLimit    = @{ Description = 'How many directors are worked on at once when the input names several and nothing is asked (-Force) (1 to 1024). The default, 32, is Invoke-Command''s. 1 does them one after another. Each director''s own changes always go in the order they came.'; DefaultValue = '32' }
        Director = 'The director. By default: the only director running, or the one this session started last.'
        WhatIf   = 'Shows the daemons that would be stopped, without stopping them.'
        Confirm  = 'Prompts before each daemon (the default: the impact is High).'
    }
    Examples    = @(
        @{ Lab = 'Pair: a two-director lab named ha'; Title = 'Stop the backup daemon'; Code = 'Stop-LvsSyncDaemon -Director ha-director2 -Role Backup -Force'; Remarks = 'The same as "ipvsadm --stop-daemon backup" there.' }
        @{ Lab = @{ Setup = 'Start-LvsSyncDaemon -Role Master -Interface eth0 -SyncId 7' }; Title = 'Stop everything'; Code = 'Get-LvsSyncDaemon | Stop-LvsSyncDaemon'; Remarks = 'Asks before each daemon.' }
    )
    Inputs      = @(
        @{ Type = 'LvsPS.Ipvs.Sync.SyncDaemonStatus'; Description = 'Daemons from Get-LvsSyncDaemon bind Role and Director by property name.' }
    )
    Outputs     = @(
        @{ Type = 'None'; Description = 'By default, nothing.' }
        @{ Type = 'LvsPS.Ipvs.Sync.SyncDaemonStatus'; Description = 'With -PassThru, each stopped daemon.' }
    )
    Notes       = 'Errors: SyncDaemonNotFound, NotSupportedByDirector, DirectorNotRunning, DirectorAmbiguous.'
    RelatedLinks = @('Start-LvsSyncDaemon', 'Get-LvsSyncDaemon', 'about_LvsPS')
}
