@{
    Synopsis    = 'Stops a running LvsPS director; its configuration stays saved for the next start.'
    Description = @'
Stop-LvsDirector asks a director to shut down over its control socket and waits until its process is gone. When
the director does not answer (hung or stopped) or does not stop within 15 seconds, it sends SIGTERM to the lvsd
that holds the director's lock, and SIGKILL 5 seconds later, with a warning; after SIGKILL the director's shutdown
commands (notify_down, quorum_down) have not run. Only that process is signalled, and its socket and pid file are
removed only once it is gone. Once stopped, the director no longer answers ARP for the VIPs, so clients lose the
service until a director takes the VIPs again.

The virtual services and real servers stay in the director's state file and come back at the next
Start-LvsDirector with the same name; the connection table is lost. To forget a lab's director entirely, remove
the lab with Remove-LvsLab.

Without -Name, the only running director is stopped; when several run, the one started last in this session.
'@
    Parameters  = @{
        Force    = 'Stops without asking. An explicit -Confirm still asks, and -WhatIf still only shows.'
        Name     = 'The director to stop. A lab''s director has the lab''s name; the name (or -Lab) of a two-director lab stops both its engine directors (<lab>-director1, <lab>-director2). By default: the only director running, or the one this session started last.'
        PassThru = 'Returns the director''s last status (with Running set to False) after stopping it. By default nothing is returned.'
        WhatIf   = 'Shows which director would be stopped without stopping it.'
    }
    Examples    = @(
        @{
            Lab     = $true
            Title   = 'Stop the director of a lab'
            Code    = 'Stop-LvsDirector -Name seed -Force'
            Remarks = 'Stops the director "seed". Start-LvsDirector -Lab seed brings it back with the same services.'
        }
        @{
            Lab     = 'Host: stops every director running on this machine'
            Title   = 'Stop every running director'
            Code    = 'Get-LvsDirector | Stop-LvsDirector -PassThru -Force'
            Remarks = 'Pipes each running director (its Name property) to Stop-LvsDirector and shows their final counters.'
        }
    )
    Inputs      = @(
        @{ Type = 'System.String'; Description = 'A director name, by the property name Name (or Director, Lab), for example DirectorStatus objects from Get-LvsDirector.' }
    )
    Outputs     = @(
        @{ Type = 'None'; Description = 'By default, nothing.' }
        @{ Type = 'LvsPS.Ipvs.Director.DirectorStatus'; Description = 'With -PassThru, the director''s last status.' }
    )
    Notes       = 'Errors: DirectorNotRunning when no director runs, DirectorAmbiguous when several run and none was named, DirectorProtocolError when a director that holds no lock answers improperly, DirectorStopFailed when the process does not end even on SIGKILL. -Verbose tells how it stopped (ShutDown, Terminated or Killed).'
    RelatedLinks = @('Start-LvsDirector', 'Get-LvsDirector', 'Remove-LvsLab', 'about_LvsPS')
}
