@{
    Synopsis    = 'Removes a real server''s health checker of one type, or all of them; a real server without checkers is up.'
    Description = @'
Remove-LvsHealthCheck removes the real server's checker of the type given with -Type, or, without -Type, every
checker it has. A real server that its checks had taken down comes back into the table once no checker holds it
down (with no checker left, it is up); a suspended real server stays suspended.

Several directors from one pipeline: each input record names its director (-Director by property name, as the
objects of Get-LvsRealServer, Get-LvsSyncDaemon and Get-LvsVrrpInstance carry it). With -Force (or no confirmation
due) the changes are made once the input is in, the directors at once (-ThrottleLimit), each director's in the
order they came; the output keeps the order the directors came in, progress names each director as it finishes,
and a director that does not answer is one error (naming it, as TargetObject) while the others go on. Without
-Force, with -WhatIf or -Confirm, every record is done at once, one after another, asking as it goes.
'@
    Parameters  = @{
        Force          = 'Removes without asking. An explicit -Confirm still asks, and -WhatIf still only shows.'
        VirtualAddress = 'The virtual IP address (VIP) of the service. Real servers from Get-LvsRealServer bind it by property name.'
        Port           = 'The port of the service.'
        Protocol       = @{ Description = 'The protocol of the service: Tcp, Udp or Sctp.'; DefaultValue = 'Tcp' }
        FirewallMark   = @{ Description = 'A firewall-mark service (ipvsadm -f N) instead of -VirtualAddress and -Port. Objects from Get-LvsRealServer bind it by property name (0 there means an address service).'; DefaultValue = '0' }
        Director       = 'The director that holds the service. By default: the only director running, or the one this session started last.'
        RealAddress    = 'The address (RIP) of the real server. Real servers from Get-LvsRealServer bind it by property name.'
        RealPort       = 'The port of the real server, when the service has the same address on several ports. By default the service port.'
        Type           = 'The checker to remove: Tcp, Http, Ssl or Misc. By default every checker of the real server. Checkers from Get-LvsHealthCheck bind it by property name.'
        PassThru       = 'Returns each removed checker as it was (an LvsHealthCheckInfo). By default nothing is returned.'
        ThrottleLimit    = @{ Description = 'How many directors are worked on at once when the input names several and nothing is asked (-Force) (1 to 1024). The default, 32, is Invoke-Command''s. 1 does them one after another. Each director''s own changes always go in the order they came.'; DefaultValue = '32' }
        WhatIf         = 'Shows each checker that would be removed and its real server, without removing it.'
    }
    Examples    = @(
        @{
            Lab     = @{ Setup = 'Add-LvsHealthCheck 10.250.0.101 80 -RealAddress 10.250.0.3 -Type Tcp' }
            Title   = 'Remove every checker of a real server'
            Code    = 'Get-LvsRealServer -RealAddress 10.250.0.3 | Remove-LvsHealthCheck -Force'
            Remarks = 'Every checker of 10.250.0.3, in every service, is removed; the real server is up again.'
        }
        @{
            Lab     = @{ Setup = 'Add-LvsHealthCheck 10.250.0.101 80 -RealAddress 10.250.0.3 -Type Misc -Command true' }
            Title   = 'Remove the MISC_CHECK checkers only'
            Code    = 'Get-LvsHealthCheck -Type Misc | Remove-LvsHealthCheck -PassThru -Force'
            Remarks = 'Each MISC_CHECK is removed and shown; the other checkers stay.'
        }
    )
    Inputs      = @(
        @{ Type = 'LvsPS.Ipvs.Model.LvsRealServer'; Description = 'Real servers (from Get-LvsRealServer) bind by property name: VirtualAddress, Port, Protocol, FirewallMark, RealAddress, RealPort, Director.' }
        @{ Type = 'LvsPS.Commands.LvsHealthCheckInfo'; Description = 'Checkers (from Get-LvsHealthCheck) bind by property name: the real server''s identity and Type.' }
    )
    Outputs     = @(
        @{ Type = 'None'; Description = 'By default, nothing.' }
        @{ Type = 'LvsPS.Commands.LvsHealthCheckInfo'; Description = 'With -PassThru, each removed checker.' }
    )
    Notes       = @'
Errors: HealthCheckNotFound (no checker of the type given), ServiceNotFound, RealServerNotFound,
DirectorNotRunning, DirectorAmbiguous, KeepalivedConfigForeign, KeepalivedConfigRejected,
KeepalivedNotFound, KeepalivedStartFailed (kernel director: see about_LvsPS).
On a kernel director the service stays in keepalived.conf without the checker
(its real servers are then always up and in the table).
'@
    RelatedLinks = @('Add-LvsHealthCheck', 'Get-LvsHealthCheck', 'Set-LvsHealthCheck', 'about_LvsPS')
}
