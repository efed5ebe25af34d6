@{
    Synopsis    = 'Gets real servers with their weights, connection counts, resolved MAC addresses and statistics.'
    Description = @'
Get-LvsRealServer returns the real servers (destinations) of a director's services, one object each, sorted by
address within each service. Each object names its service (Protocol, VirtualAddress, Port), so it can be piped to
the cmdlets that take a service and a real server.

Besides what "ipvsadm -L -n" shows per destination (forwarding, weight, ActiveConn, InActConn), each object carries
the MAC address the director resolved for the real server by ARP (empty while unresolved: the real server is down
or not on the director's segment) and the per-real-server statistics of "ipvsadm -L -n --stats".

ActiveConn counts connections in the ESTABLISHED state, InActConn all others, as ipvsadm counts them.

Each object also has the real server's State: Up (takes new connections), Down (its health checks fail; see
Get-LvsHealth), Draining (suspended with open connections), Quiesced (weight 0, nothing active) or Unresolved (no MAC
address: unreachable), with ConfiguredWeight (the weight Resume-LvsRealServer and a passing check restore), InTable
(false while a failed check keeps it out of the table; the ipvsadm listing then leaves it out), Suspended,
IsSorryServer and its HealthChecks. The default view groups the real servers by service, as ipvsadm -L -n does, and
shows the State and the checker types within 80 columns.
'@
    Parameters  = @{
        VirtualAddress = 'Only the real servers of services on this virtual IP address. Or a service named as ipvsadm names it, positionally or as -Service: tcp/10.0.0.1:80, udp/10.0.0.1:53, fwm/5, 10.0.0.1:80 (any protocol), [2001:db8::1]:80 or udp/10.0.0.1 (any port); -Port and -Protocol, when given, take precedence. Text that names no service fails binding with a message naming it.'
        Port           = 'Only the real servers of services on this port.'
        Protocol       = 'Only the real servers of services of this protocol (Tcp, Udp or Sctp).'
        RealAddress    = 'Only the real server with this address (RIP).'
        Director       = 'The director to read. By default: the only director running, or the one this session started last.'
        FirewallMark   = 'Only the real servers of the firewall-mark service with this mark.'
    }
    Examples    = @(
        @{
            Lab     = $true
            Title   = 'Every real server of a director'
            Code    = 'Get-LvsRealServer -Director seed'
            Remarks = 'Lists the real servers of each service with forwarding, weight, active and inactive connections, state and health checkers.'
        }
        @{
            Lab     = $true
            Title   = 'Find real servers the director cannot reach'
            Code    = 'Get-LvsRealServer | Where-Object State -eq Unresolved'
            Remarks = 'A real server without a MAC address did not answer the director''s ARP requests: check its link and that it is on the director''s segment, which DR requires.'
        }
        @{
            Lab     = $true
            Title   = 'Connection counts of one service'
            Code    = 'Get-LvsRealServer 10.250.0.101 80 | Format-Table RealAddress, Weight, ActiveConnections, InactiveConnections, Conns'
            Remarks = 'Shows how the scheduler spread the connections over the real servers of TCP 10.250.0.101:80.'
        }
        @{
            Lab     = 'Remote: real servers that take your ~/.ssh key'
            Title   = 'Prepare every real server of the table'
            Code    = 'Get-LvsRealServer | Set-LvsRealServerHidden -KeyFile ~/.ssh/id_ed25519 -KnownHostsFile ~/.ssh/known_hosts'
            Remarks = 'RealAddress and VirtualAddress bind to Set-LvsRealServerHidden by property name, so each real server gets the VIP of its service.'
        }
    )
    Inputs      = @(
        @{ Type = 'System.Management.Automation.PSObject'; Description = 'Objects with VirtualAddress, Port, Protocol or Director properties (for example services from Get-LvsService) bind by property name.' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Ipvs.Model.LvsRealServer'; Description = 'One object per real server: Protocol, VirtualAddress, Port, RealAddress, RealPort, Forwarding, Weight, ActiveConnections, InactiveConnections, MacAddress, State, ConfiguredWeight, InTable, Suspended, HealthChecks, Checks, Statistics and the flat counters (Conns, InPkts, OutPkts, InBytes, OutBytes, CPS ... OutBPS). Addresses and enums are text in ConvertTo-Json and Export-Csv.' }
    )
    Notes       = 'Errors: DirectorNotRunning and DirectorAmbiguous (terminating). A filter that matches nothing returns nothing, without an error.'
    RelatedLinks = @('Add-LvsRealServer', 'Set-LvsRealServer', 'Remove-LvsRealServer', 'Suspend-LvsRealServer', 'Get-LvsHealth', 'Get-LvsService', 'Get-LvsConnection', 'about_LvsPS')
}
