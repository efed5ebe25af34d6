@{
    Synopsis    = 'Gets each real server''s health: its state, last check, last change with the reason, and a short history.'
    Description = @'
Get-LvsHealth returns one object per real server of the director's services: its state, its weight now and as
configured, its connections, its checkers, when it was last checked and what that check found (LastResult), when its
state last changed and why (Reason), and the last 16 changes (History, oldest first).

The states:

- Up: takes new connections (its checks, if any, pass).
- Down: its checks fail: out of the table (or weight 0 with inhibit_on_failure).
- Draining: suspended (Suspend-LvsRealServer) while connections are still open.
- Quiesced: weight 0 and no active connection (configured so, or drained).
- Unresolved: the director has no MAC address for it (DR): it cannot be reached.

On a kernel director (Connect-LvsDirector) the state comes from the kernel's weights only: keepalived checks the real
servers there.
'@
    Parameters  = @{
        VirtualAddress = 'Only the real servers of services on this virtual IP address.'
        Port           = 'Only the real servers of services on this port.'
        Protocol       = 'Only the real servers of services of this protocol (Tcp, Udp or Sctp).'
        RealAddress    = 'Only the real server with this address (RIP).'
        FirewallMark   = 'Only the real servers of the firewall-mark service with this mark.'
        State          = 'Only real servers in one of these states: Up, Down, Draining, Quiesced, Unresolved.'
        Director       = 'The director to read. By default: the only director running, or the one this session started last.'
    }
    Examples    = @(
        @{
            Lab     = $true
            Title   = 'The health of every real server'
            Code    = 'Get-LvsHealth'
            Remarks = 'One row per real server, grouped by service: state, last check, last change and its reason.'
        }
        @{
            Lab     = $true
            Title   = 'Which real servers are down, and why'
            Code    = 'Get-LvsHealth -State Down | Format-List RealAddress, Reason, LastResult, LastChange'
            Remarks = 'Reason is why the state last changed (the failed check); LastResult what the latest check found.'
        }
        @{
            Lab     = $true
            Title   = 'The history of one real server'
            Code    = 'Get-LvsHealth -RealAddress 10.250.0.3 | ForEach-Object History'
            Remarks = 'Each change with its time, the new state and the reason.'
        }
    )
    Inputs      = @(
        @{ Type = 'System.Management.Automation.PSObject'; Description = 'Objects with VirtualAddress, Port, Protocol, FirewallMark, RealAddress or Director properties (services from Get-LvsService, real servers from Get-LvsRealServer) bind by property name.' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Ipvs.Model.LvsRealServerHealth'; Description = 'One object per real server: State, Weight, ConfiguredWeight, ActiveConnections, InTable, Checks, LastCheck, LastResult, LastChange, Reason, History.' }
    )
    Notes       = @'
Errors: DirectorNotRunning and DirectorAmbiguous (terminating). A filter that matches nothing returns nothing, without an error. Times are UTC (the view shows local time).

On a kernel director the state is keepalived's: a real server keepalived took out of the table is Down with
InTable False (Weight 0 and InTable True with inhibit_on_failure); LastCheck is when keepalived's data dump
(SIGUSR1) showed the checker had run, LastChange, Reason and History come from keepalived's log (whole seconds).
Real servers of services without checks are Up or Quiesced by their weight.
'@
    RelatedLinks = @('Get-LvsHealthCheck', 'Add-LvsHealthCheck', 'Suspend-LvsRealServer', 'Get-LvsRealServer', 'Test-LvsCluster', 'about_LvsPS')
}
