@{
    Synopsis    = 'Gets the health checkers of the director''s real servers, one object per checker.'
    Description = @'
Get-LvsHealthCheck lists every checker of every real server (or of those the filters select), one object each:
the service and real server it belongs to (so it pipes to Set-LvsHealthCheck and Remove-LvsHealthCheck), the
checker's values as configured (null: keepalived's default), the Effective values it runs with, and keepalived's
worst-case detection time, DetectionTimeSec = delay_loop + connect_timeout x (retry + 1) + delay_before_retry x
retry. The default view shows the checker, its interval, timeout, retry and what it probes.

What the checks found is Get-LvsHealth's.
'@
    Parameters  = @{
        VirtualAddress = 'Only the checkers of services on this virtual IP address.'
        Port           = 'Only the checkers of services on this port.'
        Protocol       = 'Only the checkers of services of this protocol (Tcp, Udp or Sctp).'
        RealAddress    = 'Only the checkers of the real server with this address (RIP).'
        FirewallMark   = 'Only the checkers of the firewall-mark service with this mark.'
        Type           = 'Only checkers of these types (Tcp, Http, Ssl, Misc).'
        Director       = 'The director to read. By default: the only director running, or the one this session started last.'
    }
    Examples    = @(
        @{
            Lab     = $true
            Title   = 'Every checker'
            Code    = 'Get-LvsHealthCheck'
            Remarks = 'One row per checker, grouped by service.'
        }
        @{
            Lab     = $true
            Title   = 'How fast is a failure seen'
            Code    = 'Get-LvsHealthCheck -Port 80 | Format-Table RealAddress, KeepalivedName, DetectionTimeSec'
            Remarks = 'keepalived''s detection time of each checker of the port-80 services.'
        }
    )
    Inputs      = @(
        @{ Type = 'System.Management.Automation.PSObject'; Description = 'Objects with VirtualAddress, Port, Protocol, FirewallMark, RealAddress or Director properties (services from Get-LvsService, real servers from Get-LvsRealServer) bind by property name.' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Commands.LvsHealthCheckInfo'; Description = 'One object per checker.' }
    )
    Notes       = @'
Errors: DirectorNotRunning and DirectorAmbiguous (terminating). A kernel director has no LvsPS checkers, so it lists none.
'@
    RelatedLinks = @('Add-LvsHealthCheck', 'Set-LvsHealthCheck', 'Remove-LvsHealthCheck', 'Get-LvsHealth', 'about_LvsPS')
}
