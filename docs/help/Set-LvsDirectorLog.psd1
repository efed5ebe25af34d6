@{
    Synopsis    = 'Sets a director''s debug level at run time (0..12, the kernel''s net.ipv4.vs.debug_level).'
    Description = @'
Set-LvsDirectorLog changes how much a running director logs, as "echo N > /proc/sys/net/ipv4/vs/debug_level"
does for kernel IPVS. 0 writes only start, stop, changes and errors; 1-3 add control and health detail; 4-6
VRRP, sync and scheduling decisions; 7-12 per-packet detail. lvsd keeps the level with its state, so a restarted
director logs at the same level. A kernel director writes /proc/sys/net/ipv4/vs/debug_level; a kernel built
without CONFIG_IP_VS_DEBUG has none and the change is refused with LogLevelNotSupported.
'@
    Parameters  = @{
        DebugLevel = 'The debug level, 0 to 12.'
        PassThru   = 'Returns the log settings and counters after the change. By default nothing is returned.'
        Director   = 'The director to change. By default: the only director running, or the one this session started last. Get-LvsDirector''s output binds by its Name.'
        WhatIf     = 'Shows the level that would be set, without setting it.'
        Confirm    = 'Asks for confirmation before setting the level.'
    }
    Examples    = @(
        @{
            Lab     = 'Slow: it waits a minute (DirectorLog.Tests.ps1 sets the level)'
            Title   = 'Log scheduling decisions for a while'
            Code    = 'Set-LvsDirectorLog 6; Start-Sleep 60; Set-LvsDirectorLog 0'
            Remarks = 'Get-LvsDirectorLog -Source DataPath shows where each new connection went.'
        }
    )
    Inputs      = @(
        @{ Type = 'System.String'; Description = 'Director (or Name) binds by property name.' }
    )
    Outputs     = @(
        @{ Type = 'None'; Description = 'By default, nothing.' }
        @{ Type = 'LvsPS.Ipvs.Director.DirectorLogSettings'; Description = 'With -PassThru, the level, sinks and counters.' }
    )
    Notes       = 'Errors: InvalidLogQuery, LogLevelNotSupported (a kernel without CONFIG_IP_VS_DEBUG), DirectorNotRunning.'
    RelatedLinks = @('Get-LvsDirectorLog', 'Start-LvsDirector', 'about_LvsPS')
}
